/** What OpenAI, Anthropic and Ollama accept as a function name; registry names may also hold dots (`github.search`). */
const PROVIDER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A two-way map between registry names and the names a run shows the model. Names providers accept stay as they are;
 * others get their other characters replaced by `_`, and a suffix when that collides.
 */
export class ToolNames {
  private readonly toModel = new Map<string, string>();
  private readonly toRegistry = new Map<string, string>();

  constructor(registryNames: Iterable<string>) {
    // Names that are valid already go first, so they are never the ones renamed on a collision.
    const names = [...registryNames].sort((a, b) => Number(!PROVIDER_NAME.test(a)) - Number(!PROVIDER_NAME.test(b)));
    for (const name of names) {
      const base = providerSafe(name);
      let candidate = base;
      for (let n = 2; this.toRegistry.has(candidate); n++) candidate = `${base.slice(0, 60)}_${n}`;
      this.toModel.set(name, candidate);
      this.toRegistry.set(candidate, name);
    }
  }

  /** The name the model knows a registry tool by (tools no longer offered, from earlier turns, made safe the same way). */
  modelName(registryName: string): string {
    return this.toModel.get(registryName) ?? providerSafe(registryName);
  }

  registryName(modelName: string): string | undefined {
    return this.toRegistry.get(modelName);
  }
}

function providerSafe(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || '_';
}
