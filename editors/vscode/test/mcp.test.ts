import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DOCUMENT_SELECTOR, isSkillMdPath, languageServerSetup, serverLaunch } from '../src/launch';
import { buildMcpDefinition, createMcpProvider, findMcpApi, MCP_PROVIDER_ID, MCP_SERVER_LABEL, type McpApi } from '../src/mcp';
import type { Interpreter } from '../src/interpreter';
import type { AutoskillSettings } from '../src/settings';
import { EventEmitter, McpStdioServerDefinition } from './fakeVscode';

const defaults: AutoskillSettings = { pythonPath: undefined, home: undefined, user: undefined, profile: 'auto' };
const custom: AutoskillSettings = { pythonPath: '/venv/bin/python', home: '/data/skills', user: 'ann', profile: 'codex' };
const interp: Interpreter = { path: '/venv/bin/python', source: 'setting' };

test('both servers run `<python> -m autoskill_mcp <mode>` with the same store environment', () => {
    assert.deepEqual(serverLaunch('/venv/bin/python', 'lsp', custom), {
        command: '/venv/bin/python', args: ['-m', 'autoskill_mcp', 'lsp'],
        env: { PYTHONUNBUFFERED: '1', AUTOSKILL_HOME: '/data/skills', AUTOSKILL_USER: 'ann' },
    });
    assert.deepEqual(serverLaunch('/usr/bin/python3', 'mcp', defaults).args, ['-m', 'autoskill_mcp', 'mcp']);
    assert.deepEqual(serverLaunch('/usr/bin/python3', 'mcp', defaults).env, { PYTHONUNBUFFERED: '1' });
});

test('the language server gets the settings as initializationOptions', () => {
    assert.deepEqual(languageServerSetup('/py', custom).initializationOptions, { home: '/data/skills', user: 'ann', profile: 'codex' });
});

test('documents are selected by the SKILL.md file name, on disk and untitled, never by language id', () => {
    assert.deepEqual(DOCUMENT_SELECTOR, [{ scheme: 'file', pattern: '**/SKILL.md' }, { scheme: 'untitled', pattern: '**/SKILL.md' }]);
    assert.ok(DOCUMENT_SELECTOR.every((f) => !('language' in f)));
    assert.equal(isSkillMdPath('/r/skills/pdf/SKILL.md'), true);
    assert.equal(isSkillMdPath('C:\\r\\pdf\\SKILL.md'), true);
    assert.equal(isSkillMdPath('SKILL.md'), true);
    assert.equal(isSkillMdPath('/r/NOTSKILL.md'), false);
    assert.equal(isSkillMdPath('/r/skill.md'), false);
    assert.equal(isSkillMdPath('/r/SKILL.md.bak'), false);
});

test('the MCP definition is a stdio server labelled autoskill', () => {
    const def = buildMcpDefinition(McpStdioServerDefinition, '/venv/bin/python', custom, '0.1.0');
    assert.ok(def instanceof McpStdioServerDefinition);
    assert.equal(def.label, MCP_SERVER_LABEL);
    assert.equal(def.command, '/venv/bin/python');
    assert.deepEqual(def.args, ['-m', 'autoskill_mcp', 'mcp']);
    assert.deepEqual(def.env, { PYTHONUNBUFFERED: '1', AUTOSKILL_HOME: '/data/skills', AUTOSKILL_USER: 'ann' });
    assert.equal(def.version, '0.1.0');
});

test('the MCP API is found in VS Code 1.101+ and absent before', () => {
    const registered: string[] = [];
    const lm = { registerMcpServerDefinitionProvider(id: string) { registered.push(id); return { dispose() {} }; } };
    const api = findMcpApi({ lm, McpStdioServerDefinition });
    assert.ok(api);
    api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, { provideMcpServerDefinitions: async () => [] });
    assert.deepEqual(registered, ['autoskill']);
    assert.equal(findMcpApi({ lm: { selectChatModels() {} } }), undefined);
    assert.equal(findMcpApi({ lm, McpStdioServerDefinition: undefined }), undefined);
    assert.equal(findMcpApi({}), undefined);
});

function api(): McpApi {
    return { registerMcpServerDefinitionProvider: () => ({ dispose() {} }), McpStdioServerDefinition };
}

test('provide lists the server without any UI, and nothing when there is no Python', async () => {
    let verified = 0;
    let found: { interp: Interpreter; settings: AutoskillSettings } | undefined = { interp, settings: custom };
    const changed = new EventEmitter<void>();
    const provider = createMcpProvider(api(), {
        resolve: async () => found, verify: async () => { verified++; return true; }, onDidChange: changed.event, version: '0.1.0',
    });
    const defs = await provider.provideMcpServerDefinitions(undefined);
    assert.equal(defs.length, 1);
    assert.equal(defs[0].command, '/venv/bin/python');
    assert.equal(verified, 0, 'provide must not run the (possibly interactive) check');
    found = undefined;
    assert.deepEqual(await provider.provideMcpServerDefinitions(undefined), []);
});

test('resolve verifies the interpreter and cancels the start when autoskill_mcp is missing', async () => {
    let ok = false;
    const provider = createMcpProvider(api(), {
        resolve: async () => ({ interp, settings: custom }), verify: async () => ok, onDidChange: new EventEmitter<void>().event, version: '1',
    });
    const [def] = await provider.provideMcpServerDefinitions(undefined);
    assert.equal(await provider.resolveMcpServerDefinition!(def, undefined), undefined);
    ok = true;
    assert.equal(await provider.resolveMcpServerDefinition!(def, undefined), def);
});

test('resolve starts what the settings say now, not what they said at provide time', async () => {
    let current = { interp, settings: custom };
    const provider = createMcpProvider(api(), {
        resolve: async () => current, verify: async () => true, onDidChange: new EventEmitter<void>().event, version: '1',
    });
    const [def] = await provider.provideMcpServerDefinitions(undefined);
    current = { interp: { path: '/other/python', source: 'path' }, settings: defaults };
    const resolved = await provider.resolveMcpServerDefinition!(def, undefined);
    assert.equal(resolved?.command, '/other/python');
    assert.deepEqual(resolved?.env, { PYTHONUNBUFFERED: '1' });
});

test('the provider exposes the change event so VS Code re-reads the definitions', () => {
    const changed = new EventEmitter<void>();
    const provider = createMcpProvider(api(), {
        resolve: async () => undefined, verify: async () => true, onDidChange: changed.event, version: '1',
    });
    let fired = 0;
    provider.onDidChangeMcpServerDefinitions!(() => { fired++; });
    changed.fire();
    assert.equal(fired, 1);
});
