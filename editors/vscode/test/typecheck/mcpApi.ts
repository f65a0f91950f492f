// Compiled (never run) by tsconfig.mcp-api.json against @types/vscode 1.101, where the MCP
// provider API is stable. If the subset declared in src/mcp.ts drifts from the real API, the
// assignments below stop compiling.
import * as vscode from 'vscode';
import type { McpApi, McpProviderLike, McpStdioDefinitionLike } from '../../src/mcp';

// The real functions must accept what our code passes them.
export const api: McpApi = {
    registerMcpServerDefinitionProvider: vscode.lm.registerMcpServerDefinitionProvider,
    McpStdioServerDefinition: vscode.McpStdioServerDefinition,
};

// Our provider must be a valid provider for VS Code, and our definitions valid definitions.
export function asRealProvider(p: McpProviderLike): vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> {
    return p;
}

export function asRealDefinition(d: McpStdioDefinitionLike): vscode.McpStdioServerDefinition {
    return d;
}
