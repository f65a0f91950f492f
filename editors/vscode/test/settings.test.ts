import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { expandPath, initializationOptions, readSettings, serverEnv, SETTING_KEYS, type SettingKey } from '../src/settings';

const ctx = { homeDir: '/home/ann', workspaceFolder: '/work/repo' };
const reader = (values: Partial<Record<SettingKey, unknown>>) => (key: SettingKey) => values[key];

test('empty settings mean "use the server defaults" and profile auto', () => {
    const s = readSettings(reader({ pythonPath: '', home: '   ', user: '' }), ctx);
    assert.deepEqual(s, { pythonPath: undefined, home: undefined, user: undefined, profile: 'auto' });
    assert.deepEqual(initializationOptions(s), { home: null, user: null, profile: 'auto' });
    assert.deepEqual(serverEnv(s), {});
});

test('settings become initializationOptions and the AUTOSKILL_* environment', () => {
    const s = readSettings(reader({ home: '~/skills', user: ' ann ', profile: 'claude-code' }), ctx);
    assert.deepEqual(initializationOptions(s), { home: path.join('/home/ann', 'skills'), user: 'ann', profile: 'claude-code' });
    assert.deepEqual(serverEnv(s), { AUTOSKILL_HOME: path.join('/home/ann', 'skills'), AUTOSKILL_USER: 'ann' });
});

test('an unknown profile or a value of the wrong type counts as unset', () => {
    const s = readSettings(reader({ profile: 'vscode-only', home: 42, user: ['x'] }), ctx);
    assert.equal(s.profile, 'auto');
    assert.equal(s.home, undefined);
    assert.equal(s.user, undefined);
});

test('path settings expand ~ and ${workspaceFolder}', () => {
    assert.equal(expandPath('~', ctx), '/home/ann');
    assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', ctx), '/work/repo/.venv/bin/python');
    assert.equal(expandPath('/usr/bin/python3', ctx), '/usr/bin/python3');
    assert.equal(expandPath('a~b', ctx), 'a~b');
    assert.throws(() => expandPath('${workspaceFolder}/py', { homeDir: '/h', workspaceFolder: undefined }), /no folder is open/);
});

test('the pythonPath setting is expanded too', () => {
    assert.equal(readSettings(reader({ pythonPath: '${workspaceFolder}/venv/bin/python' }), ctx).pythonPath, '/work/repo/venv/bin/python');
});

test('every setting key is read by readSettings', () => {
    const asked: string[] = [];
    readSettings((k) => { asked.push(k); return undefined; }, ctx);
    assert.deepEqual([...asked].sort(), [...SETTING_KEYS].sort());
});
