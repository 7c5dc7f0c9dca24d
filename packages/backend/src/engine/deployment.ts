/**
 * What a push produces and the engine runs: the module set, what analysis found in it, the
 * schema, the auth providers, crons and HTTP routes. Shared by push/ (which builds and stores
 * it) and the runtime (which loads and executes it), components included.
 */
export type FunctionKind = "query" | "mutation" | "action";

export interface ModuleSource {
  /** Relative to the functions dir, always ending `.js`: `messages.js`, `_deps/ABC.js`. */
  readonly path: string;
  readonly source: string;
  readonly sourceMap?: string | undefined;
  readonly environment: "isolate" | "node";
}

export type Visibility = "public" | "internal";

export interface FunctionMetadata {
  readonly name: string; // export name
  readonly kind: FunctionKind;
  readonly visibility: Visibility;
  /** Validator JSON text (`exportArgs()`), `{"type":"any"}` when none. */
  readonly args: string;
  /** Validator JSON text (`exportReturns()`), or null. */
  readonly returns: string | null;
}

export interface ModuleAnalysis {
  readonly path: string;
  readonly functions: readonly FunctionMetadata[];
  /** `http.js` default export routes: [path, method]. */
  readonly httpRoutes: ReadonlyArray<{ readonly path: string; readonly method: string }> | null;
  /** `crons.js` default export: `export()` parsed. */
  readonly crons: Record<string, CronSpec> | null;
}

export interface CronSpec {
  readonly name: string;
  readonly args: unknown[];
  readonly schedule: Record<string, unknown>;
}

/** `schema.js` default export's `export()`, parsed (docs/architecture.md#schema-and-config). */
export interface SchemaJSON {
  readonly tables: ReadonlyArray<{
    readonly tableName: string;
    readonly indexes: ReadonlyArray<{ readonly indexDescriptor: string; readonly fields: readonly string[] }>;
    readonly searchIndexes?: ReadonlyArray<{
      readonly indexDescriptor: string;
      readonly searchField: string;
      readonly filterFields: readonly string[];
    }>;
    readonly vectorIndexes?: ReadonlyArray<{
      readonly indexDescriptor: string;
      readonly vectorField: string;
      readonly dimensions: number;
      readonly filterFields: readonly string[];
    }>;
    readonly documentType: unknown;
  }>;
  readonly schemaValidation: boolean;
}

export interface Analysis {
  readonly modules: readonly ModuleAnalysis[];
  readonly schema: SchemaJSON | null;
  /** `auth.config.js` default export, evaluated with the deployment's env vars (null when absent). */
  readonly authConfig: { providers: unknown[] } | null;
  /** Installed components (`convex.config.ts`); `schema` then also holds their tables under store names. */
  readonly components?: ComponentsState | undefined;
}

/**
 * npm packages the CLI left out of `"use node"` bundles (`convex.json` `node.externalPackages`;
 * it sends them as `nodeDependencies`), resolved from the `node_modules` folder under `dir`.
 */
export interface NodePackages {
  readonly dir: string;
  readonly dependencies: ReadonlyArray<{ readonly name: string; readonly version: string }>;
}

/** A deployable unit: what finish_push makes live atomically. */
export interface Deployment {
  /** Content hash of modules + schema; changes on every push that changes code. */
  readonly version: string;
  readonly modules: readonly ModuleSource[];
  readonly analysis: Analysis;
  /** Absent when no module imports an external package. */
  readonly nodePackages?: NodePackages | undefined;
}

// Components: their types refer to `Analysis` and it to them, so they live in this file.

/** One child in a definition's `export()` (`componentInstantiation` of the CLI). */
export interface ChildComponentJSON {
  readonly name: string;
  /** The child's definition path, as the CLI names it. */
  readonly path: string;
  readonly args?: unknown;
  readonly env?: unknown;
}

/** A definition's evaluated `convex.config.js` (`componentDefinitionMetadata` of the CLI). */
export interface DefinitionMetadata {
  readonly path: string;
  readonly definitionType:
    { readonly type: "app" } | { readonly type: "childComponent"; readonly name: string; readonly args?: unknown };
  readonly childComponents: readonly ChildComponentJSON[];
  readonly httpMounts: Readonly<Record<string, string>>;
  readonly exports: unknown;
  readonly envVars?: unknown;
}

/** A component definition as pushed: its modules and what analysis found in them. */
export interface ComponentDefinition {
  readonly definitionPath: string;
  readonly metadata: DefinitionMetadata;
  /** Function modules and `schema.js` (the definition's `convex.config.js` is not run again). */
  readonly modules: readonly ModuleSource[];
  readonly analysis: Analysis;
}

/** An installed instance: `""` is the app itself. */
export interface ComponentInstance {
  readonly path: string;
  /** `""` for the app. */
  readonly definitionPath: string;
  /** Child name → child instance path. */
  readonly children: Readonly<Record<string, string>>;
}

/** Components of a deployment; absent when the app installs none. */
export interface ComponentsState {
  readonly app: DefinitionMetadata;
  readonly definitions: Readonly<Record<string, ComponentDefinition>>;
  /** By instance path, the app (`""`) included. */
  readonly instances: Readonly<Record<string, ComponentInstance>>;
  /** The app's own schema (the deployment's holds component tables too). */
  readonly appSchema: SchemaJSON | null;
}
