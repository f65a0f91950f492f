// The MCP server definition VS Code offers to its agents (Copilot agent mode, ...), so users get
// the autoskill tools without editing mcp.json.
//
// The API (`vscode.lm.registerMcpServerDefinitionProvider`, `McpStdioServerDefinition`) exists
// from VS Code 1.101 on, while the extension supports 1.91+ (the vscode-languageclient floor).
// The subset used is declared here; `test/typecheck/mcpApi.ts` checks it against the real
// 1.101 typings, and `findMcpApi` detects the API at run time.
import type { Interpreter } from './interpreter';
import { serverLaunch } from './launch';
import type { AutoskillSettings } from './settings';

/** Must equal `contributes.mcpServerDefinitionProviders[0].id` in package.json. */
export const MCP_PROVIDER_ID = 'autoskill';
export const MCP_SERVER_LABEL = 'autoskill';

export interface DisposableLike { dispose(): unknown }
export type EventLike = (listener: () => unknown) => DisposableLike;
export type McpEnv = Record<string, string | number | null>;

export interface McpStdioDefinitionLike {
    readonly label: string;
    command: string;
    args: string[];
    env: McpEnv;
    version?: string;
}

export type McpStdioDefinitionCtor =
    new (label: string, command: string, args?: string[], env?: McpEnv, version?: string) => McpStdioDefinitionLike;

export interface McpProviderLike {
    readonly onDidChangeMcpServerDefinitions?: EventLike;
    provideMcpServerDefinitions: (token: unknown) => Promise<McpStdioDefinitionLike[]>;
    resolveMcpServerDefinition?: (server: McpStdioDefinitionLike, token: unknown) => Promise<McpStdioDefinitionLike | undefined>;
}

export interface McpApi {
    registerMcpServerDefinitionProvider: (id: string, provider: McpProviderLike) => DisposableLike;
    McpStdioServerDefinition: McpStdioDefinitionCtor;
}

/** The MCP API of the running VS Code, or undefined when it is older than 1.101. */
export function findMcpApi(vscodeModule: object): McpApi | undefined {
    const mod = vscodeModule as { lm?: { registerMcpServerDefinitionProvider?: unknown }; McpStdioServerDefinition?: unknown };
    const register = mod.lm?.registerMcpServerDefinitionProvider;
    const ctor = mod.McpStdioServerDefinition;
    if (typeof register !== 'function' || typeof ctor !== 'function') {
        return undefined;
    }
    return {
        registerMcpServerDefinitionProvider: (id, provider) => register.call(mod.lm, id, provider) as DisposableLike,
        McpStdioServerDefinition: ctor as McpStdioDefinitionCtor,
    };
}

export function buildMcpDefinition(ctor: McpStdioDefinitionCtor, python: string, settings: AutoskillSettings,
    version: string): McpStdioDefinitionLike {
    const launch = serverLaunch(python, 'mcp', settings);
    return new ctor(MCP_SERVER_LABEL, launch.command, launch.args, launch.env, version);
}

export interface McpProviderDeps {
    /** Interpreter and settings, without any UI (VS Code calls `provide` eagerly); undefined = none. */
    resolve: () => Promise<{ interp: Interpreter; settings: AutoskillSettings } | undefined>;
    /** Called just before the server starts; may show UI. False cancels the start. */
    verify: (interp: Interpreter, settings: AutoskillSettings) => Promise<boolean>;
    onDidChange: EventLike;
    /** The extension's version; a new version makes VS Code offer to refresh the tool list. */
    version: string;
}

export function createMcpProvider(api: McpApi, deps: McpProviderDeps): McpProviderLike {
    return {
        onDidChangeMcpServerDefinitions: deps.onDidChange,
        provideMcpServerDefinitions: async () => {
            const found = await deps.resolve();
            return found === undefined ? [] : [buildMcpDefinition(api.McpStdioServerDefinition, found.interp.path, found.settings, deps.version)];
        },
        resolveMcpServerDefinition: async (server) => {
            const found = await deps.resolve();
            if (found === undefined || !(await deps.verify(found.interp, found.settings))) {
                return undefined;
            }
            // Settings may have changed since `provide`; start what they say now.
            const launch = serverLaunch(found.interp.path, 'mcp', found.settings);
            server.command = launch.command;
            server.args = launch.args;
            server.env = launch.env;
            return server;
        },
    };
}
