import type { ReactNode } from 'react';

/**
 * The box under each section that says what Mizan did, with facts read live from the request
 * log and the answers, never a fixed claim.
 */
export function Explain({ testId, children }: { testId?: string; children: ReactNode }) {
  return (
    <div className="explain" data-testid={testId}>
      <p className="explain-label">What Mizan did</p>
      <ul>{children}</ul>
    </div>
  );
}
