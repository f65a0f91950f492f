import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { saveToStore, SEARCH_TOP_K, searchSkills, showVersions, type ServerCall, type Ui } from '../src/commands';
import type { PickItem } from '../src/results';

/** A scripted user: answers input boxes from a queue and picks the item at `pick`. */
class ScriptedUi implements Ui {
    inputs: (string | undefined)[] = [];
    pick: number | undefined = 0;
    active: string | undefined;
    infos: string[] = [];
    errors: string[] = [];
    opened: string[] = [];
    picks: { labels: string[]; title: string }[] = [];
    async inputBox() { return this.inputs.shift(); }
    async quickPick<T>(items: PickItem<T>[], o: { title: string }) {
        this.picks.push({ labels: items.map((i) => i.label), title: o.title });
        return this.pick === undefined ? undefined : items[this.pick];
    }
    async info(m: string) { this.infos.push(m); }
    async error(m: string) { this.errors.push(m); }
    async openFile(p: string) { this.opened.push(p); }
    activeSkillUri() { return this.active; }
}

/** A language server that answers from a table and records what it was asked. */
function server(answers: Record<string, unknown>) {
    const calls: { command: string; args: unknown[] }[] = [];
    const call: ServerCall = async (command, args) => {
        calls.push({ command, args });
        const a = answers[command];
        if (a instanceof Error) { throw a; }
        return a;
    };
    return { call, calls };
}

const hits = [
    { id: 'u/commit-style', name: 'commit-style', description: 'Commit messages.', score: 0.9, scope: 'user', path: '/s/commit-style/SKILL.md' },
    { id: 'shared/changelog', name: 'changelog', description: 'Changelogs.', score: 0.4, scope: 'shared', path: null },
];

test('search sends the query and top-k, shows the hits and opens the chosen SKILL.md', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['  commit message  '];
    const s = server({ 'autoskill.searchSkills': hits });
    const chosen = await searchSkills(ui, s.call);
    assert.deepEqual(s.calls, [{ command: 'autoskill.searchSkills', args: ['commit message', SEARCH_TOP_K] }]);
    assert.deepEqual(ui.picks, [{ labels: ['commit-style', 'changelog'], title: 'Skills for "commit message"' }]);
    assert.deepEqual(ui.opened, ['/s/commit-style/SKILL.md']);
    assert.equal(chosen?.id, 'u/commit-style');
    assert.deepEqual(ui.errors, []);
});

test('choosing a skill with no file explains how to see it instead of opening nothing', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['changelog'];
    ui.pick = 1;
    await searchSkills(ui, server({ 'autoskill.searchSkills': hits }).call);
    assert.deepEqual(ui.opened, []);
    assert.match(ui.infos[0], /changelog has no SKILL\.md on disk/);
});

test('an empty or cancelled query asks the server nothing', async () => {
    for (const answer of [undefined, '   ']) {
        const ui = new ScriptedUi();
        ui.inputs = [answer];
        const s = server({});
        await searchSkills(ui, s.call);
        assert.deepEqual(s.calls, []);
        assert.deepEqual([...ui.errors, ...ui.infos], []);
    }
});

test('no hits is a message, not an empty quick pick', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['zzz'];
    await searchSkills(ui, server({ 'autoskill.searchSkills': [] }).call);
    assert.deepEqual(ui.picks, []);
    assert.deepEqual(ui.infos, ['autoskill: no skills match "zzz"']);
});

test('a malformed server answer becomes one error message', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['x'];
    await searchSkills(ui, server({ 'autoskill.searchSkills': { results: hits } }).call);
    assert.equal(ui.errors.length, 1);
    assert.match(ui.errors[0], /^autoskill: search failed: the language server's autoskill\.searchSkills returned an unexpected result/);
});

test('save sends the active SKILL.md URI and reports name, version and action', async () => {
    const ui = new ScriptedUi();
    ui.active = 'file:///r/skills/pdf/SKILL.md';
    const s = server({ 'autoskill.saveToStore': { id: 'u/pdf', name: 'pdf', version: '0.3.0', action: 'created', path: '/s/pdf/SKILL.md' } });
    await saveToStore(ui, s.call);
    assert.deepEqual(s.calls, [{ command: 'autoskill.saveToStore', args: ['file:///r/skills/pdf/SKILL.md'] }]);
    assert.deepEqual(ui.infos, ['Saved pdf v0.3.0 (created)']);
});

test('save from a context menu uses the clicked file, not the active editor', async () => {
    const ui = new ScriptedUi();
    ui.active = 'file:///r/a/SKILL.md';
    const s = server({ 'autoskill.saveToStore': { id: 'u/b', name: 'b', version: '1.0.0', action: 'unchanged', path: null } });
    await saveToStore(ui, s.call, 'file:///r/b/SKILL.md');
    assert.deepEqual(s.calls[0].args, ['file:///r/b/SKILL.md']);
    assert.deepEqual(ui.infos, ['Saved b v1.0.0 (unchanged)']);
});

test('save without a SKILL.md open asks for one and calls nothing', async () => {
    const ui = new ScriptedUi();
    const s = server({});
    await saveToStore(ui, s.call);
    assert.deepEqual(s.calls, []);
    assert.deepEqual(ui.errors, ['autoskill: open a SKILL.md file to save it to the store']);
});

test('an LSP error from save is shown with the server message', async () => {
    const ui = new ScriptedUi();
    ui.active = 'file:///r/x/SKILL.md';
    await saveToStore(ui, server({ 'autoskill.saveToStore': new Error('SKILL.md has errors: SKL001 name is missing') }).call);
    assert.deepEqual(ui.errors, ['autoskill: saving to the store failed: SKILL.md has errors: SKL001 name is missing']);
    assert.deepEqual(ui.infos, []);
});

const versions = [
    { version: '0.2.0', created_at: '2026-05-02T09:00:00Z', reason: 'updated', content_hash: 'ffee' },
    { version: '0.1.0', created_at: '2026-05-01T09:00:00Z', reason: 'added', content_hash: 'aabb' },
];

test('versions of the active SKILL.md are listed newest first', async () => {
    const ui = new ScriptedUi();
    ui.active = 'file:///r/skills/pdf/SKILL.md';
    ui.pick = 1;
    const s = server({ 'autoskill.showVersions': versions });
    const chosen = await showVersions(ui, s.call);
    assert.deepEqual(s.calls, [{ command: 'autoskill.showVersions', args: ['file:///r/skills/pdf/SKILL.md'] }]);
    assert.deepEqual(ui.picks, [{ labels: ['v0.2.0', 'v0.1.0'], title: 'Versions of pdf/SKILL.md (newest first)' }]);
    assert.equal(chosen?.version, '0.1.0');
});

test('without an open SKILL.md, versions asks for an id or name', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['commit-style'];
    const s = server({ 'autoskill.showVersions': [] });
    await showVersions(ui, s.call);
    assert.deepEqual(s.calls[0].args, ['commit-style']);
    assert.deepEqual(ui.infos, ['autoskill: no versions recorded for commit-style']);
});

test('an unknown skill error from the server reaches the user', async () => {
    const ui = new ScriptedUi();
    ui.inputs = ['nope'];
    await showVersions(ui, server({ 'autoskill.showVersions': new Error("no skill 'nope'") }).call);
    assert.deepEqual(ui.errors, ["autoskill: listing versions failed: no skill 'nope'"]);
});
