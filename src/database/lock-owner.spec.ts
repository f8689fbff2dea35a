import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentOwner, type LockOwner, ownerState, parseOwner, type ProcessProbe } from './lock-owner.js';

const here: LockOwner = { pid: 100, hostname: 'box', bootId: 'boot-1', pidNamespace: 'pid:[1]', startTime: '5000' };
const owner: LockOwner = { ...here, pid: 42, startTime: '4000' };

/** A host on which the given pids run, each since the given start time. */
const running = (processes: Record<number, string | undefined>): ProcessProbe => ({
  exists: (pid) => pid in processes,
  startTime: (pid) => processes[pid],
});

describe('ownerState', () => {
  it('finds the owner running while its pid runs since the time it recorded', () => {
    assert.equal(ownerState(owner, here, running({ 42: '4000' })), 'running');
  });

  it('finds the owner gone once its pid is free', () => {
    assert.equal(ownerState(owner, here, running({})), 'gone');
  });

  it('finds the owner gone when its pid now belongs to a process started later', () => {
    assert.equal(ownerState(owner, here, running({ 42: '9000' })), 'gone');
  });

  it('takes a pid whose start time it cannot read for the owner still running', () => {
    assert.equal(ownerState(owner, here, running({ 42: undefined })), 'running');
  });

  it('finds the owner gone once the host has rebooted, whatever runs under its pid', () => {
    assert.equal(ownerState({ ...owner, bootId: 'boot-0' }, here, running({ 42: '4000' })), 'gone');
  });

  it('cannot tell for an owner on another host or in another pid namespace, or without a record', () => {
    assert.equal(ownerState({ ...owner, hostname: 'other' }, here, running({})), 'unknown');
    assert.equal(ownerState({ ...owner, pidNamespace: 'pid:[2]' }, here, running({})), 'unknown');
    assert.equal(ownerState(undefined, here, running({})), 'unknown');
  });

  it('sees this process as running', () => {
    const self = currentOwner();
    assert.equal(self.pid, process.pid);
    assert.equal(ownerState(self, self), 'running');
  });
});

describe('parseOwner', () => {
  it('reads a record back', () => {
    assert.deepEqual(parseOwner(JSON.stringify(owner)), owner);
  });

  it('refuses records that are malformed or name no single process', () => {
    for (const text of [
      undefined,
      '',
      'not json',
      '{"hostname":"box"}',
      '{"pid":0,"hostname":"box"}',
      '{"pid":-1,"hostname":"box"}',
      '{"pid":1.5,"hostname":"box"}',
    ]) {
      assert.equal(parseOwner(text), undefined, String(text));
    }
  });
});
