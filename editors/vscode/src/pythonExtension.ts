// The active interpreter of the Python extension (ms-python.python), when it is installed.
// It is optional: no `extensionDependencies`, and any failure here means "no answer", so
// resolution moves on to PATH. Only the few API members used are declared.

export const PYTHON_EXTENSION_ID = 'ms-python.python';

interface UriLike { fsPath: string }

interface EnvironmentPath { id: string; path: string }

/** The part of the ms-python.python API we use (its `environments` API, 2023.x and later). */
export interface PythonApi {
    ready?: Promise<unknown>;
    environments?: {
        getActiveEnvironmentPath(resource?: UriLike): EnvironmentPath;
        resolveEnvironment(env: EnvironmentPath): Promise<{ executable: { uri?: UriLike } } | undefined>;
        onDidChangeActiveEnvironmentPath?: (listener: () => unknown) => { dispose(): unknown };
    };
    /** The older API, still exported, used when `environments` is missing. */
    settings?: {
        getExecutionDetails(resource?: UriLike): { execCommand: string[] | undefined };
    };
}

export interface ExtensionLike {
    isActive: boolean;
    exports: unknown;
    activate(): PromiseLike<unknown>;
}

export type GetExtension = (id: string) => ExtensionLike | undefined;

export async function pythonApi(getExtension: GetExtension): Promise<PythonApi | undefined> {
    const ext = getExtension(PYTHON_EXTENSION_ID);
    if (ext === undefined) { return undefined; }
    const exportsValue = ext.isActive ? ext.exports : await ext.activate();
    if (typeof exportsValue !== 'object' || exportsValue === null) { return undefined; }
    const api = exportsValue as PythonApi;
    await api.ready;
    return api;
}

/** The interpreter the Python extension would use for `resource` (the first workspace folder). */
export async function activeInterpreter(api: PythonApi, resource?: UriLike): Promise<string | undefined> {
    if (api.environments !== undefined) {
        const envPath = api.environments.getActiveEnvironmentPath(resource);
        const resolved = await api.environments.resolveEnvironment(envPath);
        return resolved?.executable.uri?.fsPath ?? undefined;
    }
    const exec = api.settings?.getExecutionDetails(resource).execCommand;
    return exec !== undefined && exec.length > 0 ? exec[0] : undefined;
}
