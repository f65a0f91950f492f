// Wiring only: VS Code objects in, the pure helpers do the deciding.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions }
    from 'vscode-languageclient/node';
import { CLIENT_COMMANDS, errorText, saveToStore, searchSkills, showVersions, type ServerCall, type Ui } from './commands';
import { checkImportable, importProblemMessage, Interpreter, NO_INTERPRETER_MESSAGE, pipInstallCommand,
    resolveInterpreter } from './interpreter';
import { DOCUMENT_SELECTOR, isSkillMdPath, languageServerSetup } from './launch';
import { createMcpProvider, findMcpApi, MCP_PROVIDER_ID } from './mcp';
import { activeInterpreter, pythonApi, type PythonApi } from './pythonExtension';
import { AutoskillSettings, defaultExpandContext, readSettings, SECTION, serverEnv, type SettingKey } from './settings';

const CLIENT_ID = 'autoskill'; // vscode-languageclient reads `autoskill.trace.server` from this
const CLIENT_NAME = 'autoskill language server';

function firstFolder(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
}

function currentSettings(): AutoskillSettings {
    const config = vscode.workspace.getConfiguration(SECTION, firstFolder());
    const folder = firstFolder();
    return readSettings((key: SettingKey) => config.get(key), defaultExpandContext(folder?.scheme === 'file' ? folder.fsPath : undefined));
}

function isSkillDocument(doc: vscode.TextDocument): boolean {
    return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') && isSkillMdPath(doc.uri.path);
}

type Resolved = { interp: Interpreter; settings: AutoskillSettings };

/** Everything the extension keeps between events; one per activation. */
class Autoskill {
    private client: LanguageClient | undefined;
    private starting: Promise<LanguageClient | undefined> | undefined;
    /** The last start failed: don't retry (and re-show the error) on every SKILL.md opened. */
    private failed = false;
    private python: PythonApi | undefined;
    private restarts: Promise<void> = Promise.resolve();
    private readonly mcpChanged = new vscode.EventEmitter<void>();

    constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

    /** The Python extension's API, fetched (and activated) only when the interpreter is asked of it. */
    private async pythonExtensionApi(): Promise<PythonApi | undefined> {
        if (this.python === undefined) {
            this.python = await pythonApi((id) => vscode.extensions.getExtension(id));
            this.followPythonExtension(this.python);
        }
        return this.python;
    }

    /** When the user picks another interpreter there, restart with it (unless autoskill.pythonPath overrides). */
    private followPythonExtension(api: PythonApi | undefined): void {
        const onChange = api?.environments?.onDidChangeActiveEnvironmentPath;
        if (onChange === undefined) { return; }
        this.context.subscriptions.push(onChange(() => {
            if (!vscode.workspace.getConfiguration(SECTION, firstFolder()).get<string>('pythonPath' satisfies SettingKey)) {
                this.settingsChanged();
            }
        }));
    }

    /** Interpreter + settings, or undefined when there is no Python at all. Throws on a bad setting. No UI. */
    async resolve(): Promise<Resolved | undefined> {
        const settings = currentSettings();
        const interp = await resolveInterpreter({
            setting: settings.pythonPath,
            pythonExtension: async () => {
                const api = await this.pythonExtensionApi();
                return api === undefined ? undefined : activeInterpreter(api, firstFolder());
            },
            pathEnv: process.env.PATH,
            platform: process.platform,
            pathExt: process.env.PATHEXT,
        });
        if (interp === undefined) {
            this.log.error(NO_INTERPRETER_MESSAGE);
            return undefined;
        }
        this.log.info(`python: ${interp.path} (from ${interp.source})`);
        return { interp, settings };
    }

    /** `resolve` for callers that must not throw (the MCP provider): problems go to the log. */
    async resolveQuietly(): Promise<Resolved | undefined> {
        try {
            return await this.resolve();
        } catch (err) {
            this.log.error(errorText(err));
            return undefined;
        }
    }

    /** Checks that the interpreter imports autoskill_mcp; if not, says how to fix it (without waiting for a click). */
    async verify(interp: Interpreter, settings: AutoskillSettings): Promise<boolean> {
        const check = await checkImportable(interp.path, { ...process.env, ...serverEnv(settings) });
        if (check.ok) { return true; }
        const message = importProblemMessage(interp, check);
        this.log.error(message);
        const copy = 'Copy install command';
        const open = 'Open Settings';
        void vscode.window.showErrorMessage(message, ...(check.reason === 'cannot-run' ? [open] : [copy, open])).then((choice) => {
            if (choice === copy) {
                return vscode.env.clipboard.writeText(pipInstallCommand(interp.path));
            }
            if (choice === open) {
                return vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.pythonPath`);
            }
            return undefined;
        });
        return false;
    }

    /** The running client, starting it first if needed; undefined (after telling the user why) if it can't start. */
    ensureStarted(): Promise<LanguageClient | undefined> {
        if (this.client !== undefined) { return Promise.resolve(this.client); }
        this.starting ??= this.start().finally(() => { this.starting = undefined; });
        return this.starting;
    }

    /** Start unless the last attempt failed; used for events the user did not ask for directly. */
    autoStart(): void {
        if (!this.failed) { void this.ensureStarted(); }
    }

    private async start(): Promise<LanguageClient | undefined> {
        const client = await this.startClient();
        this.failed = client === undefined;
        return client;
    }

    private async startClient(): Promise<LanguageClient | undefined> {
        let found: Resolved | undefined;
        try {
            found = await this.resolve();
        } catch (err) {
            this.log.error(errorText(err));
            void vscode.window.showErrorMessage(`autoskill: ${errorText(err)}`);
            return undefined;
        }
        if (found === undefined) {
            void vscode.window.showErrorMessage(NO_INTERPRETER_MESSAGE);
            return undefined;
        }
        if (!(await this.verify(found.interp, found.settings))) { return undefined; }
        const setup = languageServerSetup(found.interp.path, found.settings);
        const serverOptions: ServerOptions = {
            command: setup.launch.command,
            args: setup.launch.args,
            transport: TransportKind.stdio,
            options: { env: setup.launch.env }, // added to the inherited environment by the client
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: DOCUMENT_SELECTOR.map((f) => ({ ...f })),
            initializationOptions: setup.initializationOptions,
            outputChannel: this.log,
        };
        const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
        try {
            await client.start();
        } catch (err) {
            this.log.error(`the language server did not start: ${errorText(err)}`);
            void vscode.window.showErrorMessage(`autoskill: the language server did not start: ${errorText(err)}`);
            await client.dispose().catch(() => undefined);
            return undefined;
        }
        this.client = client;
        return client;
    }

    async stop(): Promise<void> {
        await this.starting;
        const client = this.client;
        this.client = undefined;
        await client?.stop().catch((err: unknown) => this.log.warn(`stopping the language server: ${errorText(err)}`));
    }

    /** Restart when running or after a failure (so fixed settings apply); otherwise start only if forced.
     *  Restarts run one after another, so a burst of setting changes cannot interleave stop and start. */
    restart(force: boolean): Promise<void> {
        this.restarts = this.restarts.then(async () => {
            const wanted = force || this.failed || this.client !== undefined || this.starting !== undefined;
            await this.stop();
            this.failed = false;
            if (wanted) { await this.ensureStarted(); }
        });
        return this.restarts;
    }

    readonly serverCall: ServerCall = async (command, args) => {
        const client = await this.ensureStarted();
        if (client === undefined) {
            throw new Error('the language server is not running (see the autoskill output)');
        }
        return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    };

    settingsChanged(): void {
        this.mcpChanged.fire();
        void this.restart(false);
    }

    registerMcp(): vscode.Disposable[] {
        const api = findMcpApi(vscode);
        if (api === undefined) {
            this.log.info('this VS Code has no MCP server provider API (needs 1.101+); the MCP server is not registered');
            return [this.mcpChanged];
        }
        const provider = createMcpProvider(api, {
            resolve: () => this.resolveQuietly(),
            verify: (interp, settings) => this.verify(interp, settings),
            onDidChange: this.mcpChanged.event,
            version: String(this.context.extension.packageJSON.version),
        });
        return [this.mcpChanged, api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider)];
    }
}

function editorUi(): Ui {
    return {
        inputBox: async (o) => vscode.window.showInputBox({ prompt: o.prompt, placeHolder: o.placeHolder, value: o.value, ignoreFocusOut: true }),
        quickPick: async (items, o) => vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, matchOnDescription: true, matchOnDetail: true }),
        info: async (m) => vscode.window.showInformationMessage(m),
        error: async (m) => vscode.window.showErrorMessage(m),
        openFile: async (fsPath) => vscode.window.showTextDocument(vscode.Uri.file(fsPath)),
        activeSkillUri: () => {
            const doc = vscode.window.activeTextEditor?.document;
            return doc !== undefined && isSkillDocument(doc) ? doc.uri.toString() : undefined;
        },
    };
}

/** A context-menu invocation passes the clicked file's Uri; the palette passes nothing. */
function targetUri(arg: unknown): string | undefined {
    return arg instanceof vscode.Uri && isSkillMdPath(arg.path) ? arg.toString() : undefined;
}

let current: Autoskill | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('autoskill', { log: true });
    const app = new Autoskill(context, log);
    current = app;
    const ui = editorUi();
    context.subscriptions.push(
        log,
        ...app.registerMcp(),
        vscode.commands.registerCommand(CLIENT_COMMANDS.search, () => searchSkills(ui, app.serverCall)),
        vscode.commands.registerCommand(CLIENT_COMMANDS.save, (arg?: unknown) => saveToStore(ui, app.serverCall, targetUri(arg))),
        vscode.commands.registerCommand(CLIENT_COMMANDS.versions, (arg?: unknown) => showVersions(ui, app.serverCall, targetUri(arg))),
        vscode.commands.registerCommand(CLIENT_COMMANDS.restart, () => app.restart(true)),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration(SECTION)) { app.settingsChanged(); }
        }),
        vscode.workspace.onDidOpenTextDocument((doc) => {
            if (isSkillDocument(doc)) { app.autoStart(); }
        }),
    );
    // Start the language server only where it has work: an open SKILL.md or one in the workspace.
    // (Activation for a command or for the MCP provider alone does not start it.)
    if (vscode.workspace.textDocuments.some(isSkillDocument)) {
        app.autoStart();
    } else {
        void vscode.workspace.findFiles('**/SKILL.md', '**/node_modules/**', 1).then((found) => {
            if (found.length > 0) { app.autoStart(); }
        });
    }
}

export async function deactivate(): Promise<void> {
    await current?.stop();
    current = undefined;
}
