import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ContractError, parseSaveResult, parseSearchHits, parseVersions, saveArgs, searchArgs, versionsArgs } from '../src/protocol';
import { noFileMessage, savedMessage, searchHitItem, subjectLabel, versionItem } from '../src/results';

const hit = { id: 'u1/commit-style', name: 'commit-style', description: 'Writes commit messages. Use when committing.',
    score: 0.8312, scope: 'user', path: '/store/u1/commit-style/SKILL.md' };

test('arguments follow the server command contract', () => {
    assert.deepEqual(searchArgs('commit message', 20), ['commit message', 20]);
    assert.deepEqual(searchArgs('commit message'), ['commit message']);
    assert.deepEqual(saveArgs('file:///r/a/SKILL.md'), ['file:///r/a/SKILL.md']);
    assert.deepEqual(versionsArgs('commit-style'), ['commit-style']);
});

test('search hits parse, and a missing path becomes null', () => {
    const { path: _omit, ...noPath } = hit;
    assert.deepEqual(parseSearchHits([hit, noPath]), [hit, { ...noPath, path: null }]);
    assert.deepEqual(parseSearchHits([]), []);
});

test('a search result of the wrong shape names the field', () => {
    assert.throws(() => parseSearchHits({ hits: [] }), (e: Error) => e instanceof ContractError && /searchSkills returned an unexpected result: result is an object, expected an array/.test(e.message));
    assert.throws(() => parseSearchHits([{ ...hit, score: '0.8' }]), /result\[0\]\.score is a string, expected a number/);
    assert.throws(() => parseSearchHits([hit, null]), /result\[1\] is null, expected an object/);
    assert.throws(() => parseSearchHits([{ ...hit, path: 3 }]), /result\[0\]\.path is a number, expected a string or null/);
});

test('save results parse and reject unknown actions', () => {
    const saved = { id: 'u1/a', name: 'a', version: '0.2.0', action: 'updated', path: '/s/a/SKILL.md' };
    assert.deepEqual(parseSaveResult(saved), saved);
    assert.throws(() => parseSaveResult({ ...saved, action: 'merged' }), /result\.action is "merged", expected one of created, updated, unchanged/);
    assert.throws(() => parseSaveResult(null), /result is null/);
    assert.throws(() => parseSaveResult({ ...saved, version: 2 }), /result\.version is a number/);
});

test('versions parse; a null reason reads as empty', () => {
    const v = { version: '0.2.0', created_at: '2026-05-01T10:00:00Z', reason: null, content_hash: 'ab'.repeat(32) };
    assert.deepEqual(parseVersions([v]), [{ ...v, reason: '' }]);
    assert.throws(() => parseVersions([{ ...v, content_hash: undefined }]), /result\[0\]\.content_hash is missing, expected a string/);
});

test('a search hit becomes a quick-pick item with scope and score', () => {
    assert.deepEqual(searchHitItem(hit), { label: 'commit-style', description: 'user · 0.83', detail: hit.description, value: hit });
    assert.equal(searchHitItem({ ...hit, path: null }).description, 'not on disk · 0.83');
    assert.match(noFileMessage({ ...hit, path: null }), /commit-style has no SKILL\.md on disk.*autoskill show u1\/commit-style/);
});

test('versions become items, newest marked current, hash shortened', () => {
    const newest = { version: '0.2.0', created_at: '2026-05-02', reason: 'merged from session', content_hash: '0123456789abcdef0123' };
    const older = { version: '0.1.0', created_at: '2026-05-01', reason: '', content_hash: '' };
    assert.deepEqual(versionItem(newest, 0), { label: 'v0.2.0', description: '2026-05-02 · current', detail: 'merged from session · sha 0123456789ab', value: newest });
    assert.deepEqual(versionItem(older, 1), { label: 'v0.1.0', description: '2026-05-01', detail: undefined, value: older });
});

test('the save message is "Saved <name> v<version> (<action>)"', () => {
    assert.equal(savedMessage({ id: 'u1/a', name: 'pdf-tools', version: '1.0.1', action: 'unchanged', path: null }), 'Saved pdf-tools v1.0.1 (unchanged)');
});

test('a document URI is shown as folder/SKILL.md, a name as itself', () => {
    assert.equal(subjectLabel('file:///home/ann/skills/pdf%20tools/SKILL.md'), 'pdf tools/SKILL.md');
    assert.equal(subjectLabel('commit-style'), 'commit-style');
    assert.equal(subjectLabel('u1/commit-style'), 'u1/commit-style');
});
