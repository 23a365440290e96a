import { MizanForm, useMizanClient } from 'mizan-react';
import type { FocusEvent } from 'react';
import { Explain } from './Explain';
import { carriesCall, shownStatus } from './log/requests';
import { useRequestLog } from './log/useRequestLog';
import { contactFormSpec, useContactForm, type ContactFormValues } from './mizan';

/** The field whose server-only rule ("This address is blocked.") is asked about on blur. */
const SERVER_CHECKED_FIELD: keyof ContactFormValues = 'email';

/** What the form did, from the log: the server asked on blur, and the submit. */
function ContactFacts() {
  const baseUrl = useMizanClient().baseUrl;
  const { entries } = useRequestLog();
  const checks = entries.filter((entry) => carriesCall(entry, baseUrl, `${contactFormSpec.name}.validate`));
  const submit = entries.find((entry) => carriesCall(entry, baseUrl, `${contactFormSpec.name}.submit`));
  return (
    <Explain testId="contact-facts">
      <li>
        The form is drawn from the spec generated from its Rust type, and the browser checks each
        field with the server's own rules and messages before anything is sent.
      </li>
      <li>
        The rule only the server knows (a blocked address) is asked when the email loses focus:{' '}
        <strong>{checks.length}</strong> {checks.length === 1 ? 'check' : 'checks'} in the log.
      </li>
      <li>
        The submit sends the values and the file as one multipart <code>POST</code>
        {submit ? (
          <>
            : last answered <strong>{shownStatus(submit)}</strong>
            {submit.error ? ` ${submit.error}` : ''}
          </>
        ) : null}
        . Without JavaScript the same form posts as plain HTML and works too.
      </li>
    </Explain>
  );
}

/**
 * The contact form of `examples/demo/src/contact.rs`, drawn from its generated spec. The browser
 * checks the values with the server's rules and messages before sending; the server's own rule on
 * the email is asked on the email's blur and again by the submit, whose errors land on the fields
 * with the values kept.
 */
export function ContactPage() {
  const contact = useContactForm();
  const { form, validateOnServer, result, error, submitting } = contact;

  // `<MizanForm>` draws the inputs itself, so the email's blur is caught as it bubbles up (React's
  // onBlur is focusout). An empty address is left for the submit to flag; the server is asked
  // only once the browser's own checks pass: a malformed address needs no round trip.
  const checkOnServer = async (event: FocusEvent<HTMLDivElement>) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.name !== SERVER_CHECKED_FIELD) return;
    if (target.value === '' || !(await form.trigger(SERVER_CHECKED_FIELD))) return;
    try {
      await validateOnServer(SERVER_CHECKED_FIELD);
    } catch {
      // The submit asks the server again; a failed early check must not stop anyone.
    }
  };

  return (
    <section className="card contact" data-testid="contact-page">
      <h2>{contactFormSpec.title}</h2>
      <div onBlur={(event) => void checkOnServer(event)}>
        <MizanForm form={contact} submitLabel={submitting ? 'Sending…' : 'Send'} />
      </div>
      {result ? (
        <p role="status" data-testid="contact-result" className="contact-result">
          Message #{result.number} received from {result.name}.
          {result.attachment === null
            ? ' No attachment.'
            : ` Attachment: ${result.attachment}.`}
        </p>
      ) : null}
      {/* Field errors are beside their fields; anything else (network, 413, …) is shown here. */}
      {error && error.code !== 'validation_failed' ? (
        <p role="alert" className="mizan-error" data-testid="contact-error">
          {error.status} {error.code}: {error.message}
        </p>
      ) : null}
      <ContactFacts />
    </section>
  );
}

/** Where a successful post without JavaScript lands (the form's `redirect`). */
export function ContactThanksPage() {
  return (
    <section className="card contact" data-testid="contact-thanks">
      <h2>Thank you</h2>
      <p>Your message was received. We will answer by email.</p>
      <p>
        <a href="/contact">Write another message</a>
      </p>
    </section>
  );
}
