import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { activeInterpreter, pythonApi, PYTHON_EXTENSION_ID, type ExtensionLike, type PythonApi } from '../src/pythonExtension';

function extension(exportsValue: unknown, isActive: boolean): ExtensionLike & { activations: number } {
    const ext = {
        isActive, activations: 0, exports: isActive ? exportsValue : undefined,
        async activate() { ext.activations++; ext.isActive = true; ext.exports = exportsValue; return exportsValue; },
    };
    return ext;
}

const modern = (exe: string | undefined): PythonApi => ({
    ready: Promise.resolve(),
    environments: {
        getActiveEnvironmentPath: (resource) => ({ id: 'env', path: `${resource?.fsPath ?? '(none)'}/.venv` }),
        resolveEnvironment: async (env) => (env.path === '/repo/.venv' ? { executable: { uri: exe === undefined ? undefined : { fsPath: exe } } } : undefined),
    },
});

test('no Python extension installed means no answer', async () => {
    assert.equal(await pythonApi(() => undefined), undefined);
});

test('an inactive Python extension is activated, and only when asked for', async () => {
    const ext = extension(modern('/repo/.venv/bin/python'), false);
    const asked: string[] = [];
    const api = await pythonApi((id) => { asked.push(id); return ext; });
    assert.deepEqual(asked, [PYTHON_EXTENSION_ID]);
    assert.equal(ext.activations, 1);
    assert.equal(await activeInterpreter(api!, { fsPath: '/repo' }), '/repo/.venv/bin/python');
});

test('the active environment is resolved for the workspace folder', async () => {
    const api = (await pythonApi(() => extension(modern('/x/python'), true)))!;
    assert.equal(await activeInterpreter(api, { fsPath: '/repo' }), '/x/python');
    assert.equal(await activeInterpreter(api, { fsPath: '/elsewhere' }), undefined);
    assert.equal(await activeInterpreter((await pythonApi(() => extension(modern(undefined), true)))!, { fsPath: '/repo' }), undefined);
});

test('the older settings API is used when environments is missing', async () => {
    const legacy: PythonApi = { settings: { getExecutionDetails: () => ({ execCommand: ['/old/python', '-X', 'utf8'] }) } };
    assert.equal(await activeInterpreter(legacy), '/old/python');
    assert.equal(await activeInterpreter({ settings: { getExecutionDetails: () => ({ execCommand: undefined }) } }), undefined);
});

test('an extension without usable exports gives no answer', async () => {
    assert.equal(await pythonApi(() => extension(undefined, false)), undefined);
});
