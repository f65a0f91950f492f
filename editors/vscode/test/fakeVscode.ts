// A small in-memory stand-in for the `vscode` module (VS Code itself cannot be downloaded here),
// plus a recording stand-in for `vscode-languageclient/node`. Installed with `installFakes()`
// before the extension is required. It implements only what the extension and the real
// vscode-languageclient ExecuteCommandFeature touch, and behaves like VS Code where it matters:
// registering a command id twice throws.
import * as path from 'path';
import Module = require('module');

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
    private listeners: Listener<T>[] = [];
    readonly event = (listener: Listener<T>) => {
        this.listeners.push(listener);
        return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
    };
    fire(e: T): void { for (const l of [...this.listeners]) { l(e); } }
    dispose(): void { this.listeners = []; }
}

export class Uri {
    private constructor(readonly scheme: string, readonly path: string) {}
    static file(p: string): Uri { return new Uri('file', p.split(path.sep).join('/')); }
    static parse(s: string): Uri {
        const m = /^([a-z][a-z0-9+.-]*):(?:\/\/[^/]*)?(.*)$/i.exec(s);
        if (m === null) { throw new Error(`not a URI: ${s}`); }
        return new Uri(m[1], decodeURIComponent(m[2]));
    }
    get fsPath(): string { return this.path; }
    toString(): string { return this.scheme === 'file' ? `file://${encodeURI(this.path)}` : `${this.scheme}:${this.path}`; }
}

export class McpStdioServerDefinition {
    cwd?: Uri;
    constructor(readonly label: string, public command: string, public args: string[] = [],
        public env: Record<string, string | number | null> = {}, public version?: string) {}
}

export interface Shown { kind: 'info' | 'error'; message: string; items: string[] }

export interface FakeDocument { uri: Uri }

/** The fake editor's state; tests read and change it. */
export class FakeEditor {
    settings: Record<string, unknown> = {};
    shown: Shown[] = [];
    commands = new Map<string, (...args: unknown[]) => unknown>();
    executed: { id: string; args: unknown[] }[] = [];
    mcpProviders = new Map<string, unknown>();
    inputAnswers: (string | undefined)[] = [];
    pickIndex: number | undefined = 0;
    picks: { items: { label: string }[]; options: unknown }[] = [];
    opened: string[] = [];
    clipboard = '';
    textDocuments: FakeDocument[] = [];
    workspaceFiles: Uri[] = [];
    extensions = new Map<string, { isActive: boolean; exports: unknown; activate(): Promise<unknown> }>();
    activeDocument: FakeDocument | undefined;
    readonly configChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
    readonly documentOpened = new EventEmitter<FakeDocument>();

    changeSettings(values: Record<string, unknown>): void {
        Object.assign(this.settings, values);
        const keys = Object.keys(values);
        this.configChanged.fire({ affectsConfiguration: (s) => keys.some((k) => k === s || k.startsWith(`${s}.`)) });
    }

    /** A `vscode` module; `withMcp: false` gives one older than 1.101 (no MCP provider API). */
    module(withMcp: boolean): Record<string, unknown> {
        const ed = this;
        const disposable = { dispose() { /* nothing held */ } };
        const show = (kind: Shown['kind']) => async (message: string, ...items: string[]) => {
            ed.shown.push({ kind, message, items });
            return undefined;
        };
        const mod: Record<string, unknown> = {
            version: withMcp ? '1.101.0' : '1.91.0',
            EventEmitter,
            Uri,
            CancellationError: class CancellationError extends Error {},
            // Classes vscode-languageclient subclasses when its modules load (the bundle test loads them).
            ...Object.fromEntries(['CallHierarchyItem', 'CodeAction', 'CodeLens', 'CompletionItem', 'Diagnostic', 'DocumentLink',
                'InlayHint', 'SymbolInformation', 'TypeHierarchyItem'].map((name) => [name, class {}])),
            Disposable: class { constructor(private readonly fn: () => void) {} dispose() { this.fn(); } },
            window: {
                createOutputChannel: () => ({
                    info() {}, warn() {}, error() {}, debug() {}, trace() {}, appendLine() {}, append() {},
                    show() {}, dispose() {}, name: 'autoskill',
                }),
                showInformationMessage: show('info'),
                showErrorMessage: show('error'),
                showInputBox: async () => ed.inputAnswers.shift(),
                showQuickPick: async (items: { label: string }[], options: unknown) => {
                    ed.picks.push({ items, options });
                    return ed.pickIndex === undefined ? undefined : items[ed.pickIndex];
                },
                showTextDocument: async (uri: Uri) => { ed.opened.push(uri.fsPath); },
                get activeTextEditor() { return ed.activeDocument && { document: ed.activeDocument }; },
            },
            workspace: {
                getConfiguration: (section: string) => ({
                    get: (key: string) => ed.settings[`${section}.${key}`],
                }),
                onDidChangeConfiguration: ed.configChanged.event,
                onDidOpenTextDocument: ed.documentOpened.event,
                get textDocuments() { return ed.textDocuments; },
                workspaceFolders: undefined,
                findFiles: async () => ed.workspaceFiles,
            },
            commands: {
                registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
                    if (ed.commands.has(id)) { throw new Error(`command '${id}' already exists`); }
                    ed.commands.set(id, fn);
                    return { dispose: () => { ed.commands.delete(id); } };
                },
                executeCommand: async (id: string, ...args: unknown[]) => {
                    ed.executed.push({ id, args });
                    return ed.commands.get(id)?.(...args);
                },
            },
            extensions: { getExtension: (id: string) => ed.extensions.get(id) },
            env: { clipboard: { writeText: async (t: string) => { ed.clipboard = t; } } },
            lm: withMcp
                ? { registerMcpServerDefinitionProvider: (id: string, p: unknown) => { ed.mcpProviders.set(id, p); return disposable; } }
                : { selectChatModels: async () => [] },
        };
        if (withMcp) { mod.McpStdioServerDefinition = McpStdioServerDefinition; }
        return mod;
    }
}

export interface ClientRecord {
    id: string;
    name: string;
    serverOptions: { command: string; args: string[]; options: { env: Record<string, string> } };
    clientOptions: { documentSelector: unknown[]; initializationOptions: unknown };
    started: boolean;
    stopped: boolean;
    requests: { method: string; params: { command: string; arguments: unknown[] } }[];
}

/** What the language server answers to `workspace/executeCommand`, by command id. */
export type ServerBehaviour = (command: string, args: unknown[]) => Promise<unknown>;

export function fakeLanguageClientModule(clients: ClientRecord[], server: () => ServerBehaviour): Record<string, unknown> {
    class LanguageClient {
        private readonly rec: ClientRecord;
        constructor(id: string, name: string, serverOptions: ClientRecord['serverOptions'], clientOptions: ClientRecord['clientOptions']) {
            this.rec = { id, name, serverOptions, clientOptions, started: false, stopped: false, requests: [] };
            clients.push(this.rec);
        }
        async start() { this.rec.started = true; }
        async stop() { this.rec.stopped = true; }
        async dispose() { this.rec.stopped = true; }
        async sendRequest(type: { method: string }, params: { command: string; arguments: unknown[] }) {
            this.rec.requests.push({ method: type.method, params });
            return server()(params.command, params.arguments);
        }
    }
    return {
        LanguageClient,
        TransportKind: { stdio: 0 },
        ExecuteCommandRequest: { type: { method: 'workspace/executeCommand' } },
    };
}

const routed: { vscode?: Record<string, unknown>; languageClient?: Record<string, unknown> } = {};
let hooked = false;

/** Route `require('vscode')` and `require('vscode-languageclient/node')` to the fakes given last. */
export function installFakes(vscodeModule: Record<string, unknown>, languageClient?: Record<string, unknown>): void {
    routed.vscode = vscodeModule;
    routed.languageClient = languageClient;
    if (hooked) { return; }
    hooked = true;
    const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = mod._load;
    mod._load = function (request: string, ...rest: unknown[]) {
        if (request === 'vscode' && routed.vscode !== undefined) { return routed.vscode; }
        if (request === 'vscode-languageclient/node' && routed.languageClient !== undefined) { return routed.languageClient; }
        return original.call(this, request, ...rest);
    };
}

/** A fresh copy of the built extension (out/src), so each test gets its own module state. */
export function freshExtension(): { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> } {
    const srcDir = path.resolve(__dirname, '..', 'src');
    for (const key of Object.keys(require.cache)) {
        if (key.startsWith(srcDir + path.sep)) { delete require.cache[key]; }
    }
    return require(path.join(srcDir, 'extension.js'));
}
