// The packed packages load in Node by their `exports`, with every import they make resolved from
// the application's own node_modules.
import assert from 'node:assert/strict';
import { canonicalizeText } from 'mizan-ts';
import { MizanProvider, createMizanClient } from 'mizan-react';

assert.equal(canonicalizeText('{"b":1,"a":2}'), '{"a":2,"b":1}');
assert.equal(typeof MizanProvider, 'function');
assert.equal(typeof createMizanClient, 'function');
console.log('runtime: mizan-ts and mizan-react load from their tarballs');
