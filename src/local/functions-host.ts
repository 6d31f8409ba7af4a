import Module from "node:module";

/** A binding as the Functions host receives it in function metadata. */
export interface BindingMetadata {
  type: string;
  direction: "in" | "out";
  name?: string;
  schedule?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  path?: string;
  connection?: string;
  [key: string]: unknown;
}

/** One function registration, exactly as `@azure/functions` hands it to the host. */
export interface Registration {
  name: string;
  bindings: Record<string, BindingMetadata>;
  handler: (...args: unknown[]) => unknown;
}

const registrations: Registration[] = [];
let installed = false;

/** The stand-in for the module the Functions Node worker injects. */
const coreApi = {
  version: "lifeboat-local",
  registerFunction(metadata: { name: string; bindings: Record<string, BindingMetadata> }, handler: (...args: unknown[]) => unknown) {
    registrations.push({ name: metadata.name, bindings: metadata.bindings, handler });
    return { dispose() {} };
  },
  setProgrammingModel() {},
  getProgrammingModel() {
    return undefined;
  },
  registerHook() {
    return { dispose() {} };
  },
  log(level: string, category: string, message: string) {
    if (level === "error" || level === "critical") process.stderr.write(`[functions] ${message}\n`);
  },
};

/**
 * Makes `require("@azure/functions-core")` resolve to a recorder, as the Functions
 * worker would, so that `app.timer(...)`/`app.http(...)` calls register for real
 * instead of the package's "test mode". Call before `@azure/functions` is first loaded.
 */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const mod = Module as unknown as {
    _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  };
  const original = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    if (request === "@azure/functions-core") return coreApi;
    return original.call(this, request, parent, isMain);
  };
}

/** Every function registered so far. */
export function registeredFunctions(): readonly Registration[] {
  return registrations;
}

/** The trigger binding of a registration. */
export function triggerOf(r: Registration): BindingMetadata {
  const t = Object.values(r.bindings).find((b) => /trigger$/i.test(b.type));
  if (!t) throw new Error(`function ${r.name} has no trigger binding`);
  return t;
}
