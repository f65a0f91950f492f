import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { emptyVenvPython, siteWithAutoskill, tempDir } from './pythonEnv';
import { checkImportable, findOnPath, importProblemMessage, InterpreterError, isExecutableFile, pipInstallCommand,
    resolveInterpreter, type InterpreterInputs } from '../src/interpreter';

/** A real executable file (a shell script) at dir/name. */
function executable(dir: string, name: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return file;
}

function inputs(over: Partial<InterpreterInputs>): InterpreterInputs {
    return { setting: undefined, pythonExtension: async () => undefined, pathEnv: '', platform: 'linux', ...over };
}

test('the pythonPath setting wins over the Python extension and PATH', async () => {
    const dir = tempDir();
    const mine = executable(dir, 'mine-python');
    const fromExt = executable(dir, 'ext-python');
    executable(dir, 'python3');
    let asked = false;
    const r = await resolveInterpreter(inputs({ setting: mine, pythonExtension: async () => { asked = true; return fromExt; }, pathEnv: dir }));
    assert.deepEqual(r, { path: mine, source: 'setting' });
    assert.equal(asked, false, 'the Python extension is not consulted when the setting is set');
});

test('a bare name in the setting is looked up on PATH', async () => {
    const dir = tempDir();
    const py = executable(dir, 'python3.12');
    assert.deepEqual(await resolveInterpreter(inputs({ setting: 'python3.12', pathEnv: dir })), { path: py, source: 'setting' });
});

test('a setting that is not an executable is an error, not a silent fallback', async () => {
    const dir = tempDir();
    executable(dir, 'python3');
    const notExec = path.join(dir, 'notes.txt');
    fs.writeFileSync(notExec, 'hi', { mode: 0o644 });
    for (const setting of [path.join(dir, 'missing'), notExec, dir, 'no-such-python']) {
        await assert.rejects(resolveInterpreter(inputs({ setting, pathEnv: dir })),
            (e: Error) => e instanceof InterpreterError && e.message.includes(`"${setting}"`) && e.message.includes('not an executable'));
    }
});

test('without a setting the Python extension interpreter comes before PATH', async () => {
    const dir = tempDir();
    const fromExt = executable(dir, 'venv-python');
    executable(dir, 'python3');
    assert.deepEqual(await resolveInterpreter(inputs({ pythonExtension: async () => fromExt, pathEnv: dir })),
        { path: fromExt, source: 'python-extension' });
});

test('a failing or empty Python extension falls back to python3, then python, on PATH', async () => {
    const a = tempDir();
    const b = tempDir();
    const python = executable(a, 'python');
    const python3 = executable(b, 'python3');
    const failing = async (): Promise<string | undefined> => { throw new Error('extension crashed'); };
    assert.deepEqual(await resolveInterpreter(inputs({ pythonExtension: failing, pathEnv: `${a}:${b}` })), { path: python3, source: 'path' });
    assert.deepEqual(await resolveInterpreter(inputs({ pythonExtension: async () => path.join(a, 'gone'), pathEnv: a })), { path: python, source: 'path' });
    assert.equal(await resolveInterpreter(inputs({ pathEnv: tempDir() })), undefined);
});

test('PATH order decides between two python3', async () => {
    const first = tempDir();
    const second = tempDir();
    executable(second, 'python3');
    const winner = executable(first, 'python3');
    assert.equal(findOnPath(['python3'], `${first}::${second}`, 'linux', undefined), winner);
});

test('on Windows PATHEXT suffixes are tried and python comes before python3', () => {
    const seen: string[] = [];
    const exists = new Set(['C:\\Py\\python.EXE', 'C:\\Py\\python3.EXE']);
    const found = findOnPath(['python', 'python3'], 'C:\\Tools;C:\\Py', 'win32', '.EXE;.CMD', (f) => { seen.push(f); return exists.has(f); });
    assert.equal(found, 'C:\\Py\\python.EXE');
    assert.deepEqual(seen.slice(0, 2), ['C:\\Tools\\python.EXE', 'C:\\Tools\\python.CMD']);
});

test('isExecutableFile rejects folders, missing files and files without the x bit', () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, '', { mode: 0o644 });
    assert.equal(isExecutableFile(dir), false);
    assert.equal(isExecutableFile(path.join(dir, 'nope')), false);
    assert.equal(isExecutableFile(plain), false);
    assert.equal(isExecutableFile(executable(dir, 'x')), true);
});

test('the import check passes for a Python that can import autoskill_mcp', async () => {
    assert.deepEqual(await checkImportable(emptyVenvPython(), { ...process.env, PYTHONPATH: siteWithAutoskill() }), { ok: true });
});

test('a Python without autoskill_mcp gets the pip command', async () => {
    const python = emptyVenvPython();
    const check = await checkImportable(python, { ...process.env, PYTHONPATH: tempDir(), PYTHONSAFEPATH: '1' });
    assert.equal(check.ok, false);
    if (check.ok) { return; }
    assert.equal(check.reason, 'not-installed');
    const message = importProblemMessage({ path: python, source: 'path' }, check);
    assert.ok(message.includes(`${python} -m pip install -e <path to your autoskill-mcp clone>`), message);
    assert.ok(message.includes('autoskill.pythonPath'), message);
});

test('an autoskill_mcp that fails to import is reported with its error', async () => {
    const site = siteWithAutoskill('import no_such_dependency_xyz\n');
    const check = await checkImportable(emptyVenvPython(), { ...process.env, PYTHONPATH: site });
    assert.equal(check.ok, false);
    if (!check.ok) {
        assert.equal(check.reason, 'import-failed');
        assert.match(check.detail, /No module named 'no_such_dependency_xyz'/);
        assert.match(importProblemMessage({ path: '/venv/bin/python', source: 'setting' }, check),
            /from autoskill\.pythonPath\) failed: .*no_such_dependency_xyz.*--upgrade/);
    }
});

test('an interpreter that cannot be started is reported as such', async () => {
    const check = await checkImportable(path.join(tempDir(), 'no-python'), process.env);
    assert.equal(check.ok, false);
    if (!check.ok) {
        assert.equal(check.reason, 'cannot-run');
        assert.match(check.detail, /ENOENT/);
    }
});

test('the import check gives up on an interpreter that hangs', async () => {
    const dir = tempDir();
    const hang = path.join(dir, 'hang');
    fs.writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const check = await checkImportable(hang, process.env, undefined, 300);
    assert.deepEqual(check, { ok: false, reason: 'cannot-run', detail: 'timed out after 300 ms' });
});

test('pip commands quote interpreter paths with spaces', () => {
    assert.equal(pipInstallCommand('/usr/bin/python3'), '/usr/bin/python3 -m pip install -e <path to your autoskill-mcp clone>');
    assert.equal(pipInstallCommand('C:\\Program Files\\Python\\python.exe'), '"C:\\Program Files\\Python\\python.exe" -m pip install -e <path to your autoskill-mcp clone>');
});
