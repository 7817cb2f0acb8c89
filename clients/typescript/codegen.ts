// GraphQL Code Generator: reads the repository's exported schema (no server needed) and the
// operations in operations/ (and the benchmark's dashboard), and writes typed documents (TypedDocumentNode) to src/generated/.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  // The dashboard is the benchmark's own document, so the two cannot drift apart.
  documents: ["operations/*.graphql", "../../bench/queries/dashboard.graphql"],
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        // Every custom scalar must be mapped here: a new one fails generation until it is.
        strictScalars: true,
        scalars: {
          Date: "string",
          DateTime: "string",
          JSON: "unknown",
          Long: "number",
        },
        // Enums as const objects: their values exist at run time too, so results can be checked.
        enumType: "const",
        useTypeImports: true,
        immutableTypes: true,
      },
    },
  },
};

export default config;
