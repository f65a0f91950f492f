// The extension's settings (`autoskill.*` in package.json) as one typed value, and what they
// become for the language server (initializationOptions) and for the server processes (env).
// The configuration reader is injected, so this module never imports `vscode`.
import * as os from 'os';
import * as path from 'path';

export const SECTION = 'autoskill';

/** Keys under `autoskill.` that the extension reads (package.json must contribute each one). */
export const SETTING_KEYS = ['pythonPath', 'home', 'user', 'profile'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const PROFILES = ['auto', 'spec', 'claude-code', 'codex', 'claude-upload', 'evomaster'] as const;
export type Profile = (typeof PROFILES)[number];

export interface AutoskillSettings {
    /** Interpreter chosen by the user, already expanded; undefined = ask the Python extension, then PATH. */
    pythonPath: string | undefined;
    /** Store folder (AUTOSKILL_HOME); undefined = the server's default. */
    home: string | undefined;
    /** User id (AUTOSKILL_USER); undefined = the server's default. */
    user: string | undefined;
    profile: Profile;
}

/** What `vscode.WorkspaceConfiguration.get` gives us; the tests pass a plain map. */
export type ConfigReader = (key: SettingKey) => unknown;

export interface ExpandContext {
    homeDir: string;
    workspaceFolder: string | undefined;
}

export function defaultExpandContext(workspaceFolder: string | undefined): ExpandContext {
    return { homeDir: os.homedir(), workspaceFolder };
}

/** `~`, `~/x` and `${workspaceFolder}` in path settings, as users write them in other extensions. */
export function expandPath(value: string, ctx: ExpandContext): string {
    let out = value;
    if (out.includes('${workspaceFolder}')) {
        if (ctx.workspaceFolder === undefined) {
            throw new Error(`"${value}" uses \${workspaceFolder} but no folder is open`);
        }
        out = out.split('${workspaceFolder}').join(ctx.workspaceFolder);
    }
    if (out === '~') {
        return ctx.homeDir;
    }
    if (out.startsWith('~/') || out.startsWith('~\\')) {
        return path.join(ctx.homeDir, out.slice(2));
    }
    return out;
}

function text(value: unknown): string | undefined {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Read and normalise the settings; a wrong value type counts as unset, an unknown profile as "auto". */
export function readSettings(get: ConfigReader, ctx: ExpandContext): AutoskillSettings {
    const pythonPath = text(get('pythonPath'));
    const home = text(get('home'));
    const profile = get('profile');
    return {
        pythonPath: pythonPath === undefined ? undefined : expandPath(pythonPath, ctx),
        home: home === undefined ? undefined : expandPath(home, ctx),
        user: text(get('user')),
        profile: (PROFILES as readonly unknown[]).includes(profile) ? (profile as Profile) : 'auto',
    };
}

/** Sent as LSP `initializationOptions`; null means "use the server's default". */
export interface InitializationOptions {
    home: string | null;
    user: string | null;
    profile: Profile;
}

export function initializationOptions(s: AutoskillSettings): InitializationOptions {
    return { home: s.home ?? null, user: s.user ?? null, profile: s.profile };
}

/** Environment for both server processes, so the store is the same one the CLI would use. */
export function serverEnv(s: AutoskillSettings): Record<string, string> {
    const env: Record<string, string> = {};
    if (s.home !== undefined) { env.AUTOSKILL_HOME = s.home; }
    if (s.user !== undefined) { env.AUTOSKILL_USER = s.user; }
    return env;
}
