/**
 * `cinfra import … --write stack.ts`: add the declaration to the program with ts-morph, using the
 * program's own variables for the image, networks and volumes, and importing Container if needed.
 * ts-morph (and the TypeScript compiler under it) loads only here, so other commands stay fast.
 */
import { CinfraError } from "../../core/errors.js";
import type { Urn } from "../../core/model/types.js";
import { RefTo, type DeclArgs, type DeclValue } from "./import-declaration.js";
import { renderContainer } from "./import-typescript.js";

const KIND_OF_CLASS: Record<string, string> = { Image: "image", Network: "network", Volume: "volume", Container: "container" };

function refsIn(value: DeclValue, into: Set<Urn>): Set<Urn> {
  if (value instanceof RefTo) into.add(value.urn);
  else if (Array.isArray(value)) value.forEach((v) => refsIn(v, into));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => refsIn(v, into));
  return into;
}

export async function writeDeclaration(file: string, name: string, args: DeclArgs, comment: string): Promise<string> {
  const { Node, Project, SyntaxKind } = await import("ts-morph");
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  const source = project.addSourceFileAtPath(file);

  // Which variable holds which resource: `const busybox = new Image("busybox", …)`.
  const variables = new Map<Urn, string>();
  for (const expr of source.getDescendantsOfKind(SyntaxKind.NewExpression)) {
    const cls = expr.getExpression().getText().split(".").pop() ?? "";
    const first = expr.getArguments()[0];
    if (!KIND_OF_CLASS[cls] || !first || !Node.isStringLiteral(first)) continue;
    const urn = `${KIND_OF_CLASS[cls]}.${first.getLiteralValue()}` as Urn;
    if (urn === `container.${name}`) {
      throw new CinfraError("IMPORT_ALREADY_DECLARED", `${file}:${expr.getStartLineNumber()}: container "${name}" is already declared`);
    }
    const holder = expr.getParentIfKind(SyntaxKind.VariableDeclaration);
    if (holder && Node.isIdentifier(holder.getNameNode())) variables.set(urn, holder.getName());
  }
  const missing = [...refsIn(args, new Set())].filter((urn) => !variables.has(urn));
  if (missing.length) {
    throw new CinfraError("IMPORT_UNNAMED_REFS", `${file} has no variable holding ${missing.join(", ")}: ` +
      "assign each to a const (e.g. `const img = new Image(…)`), or import without --write and paste the printed declaration");
  }

  // `Container` from "cinfra", under whatever name the program imports it.
  let className = "Container";
  const cinfraImport = source.getImportDeclaration((d) => d.getModuleSpecifierValue() === "cinfra");
  const named = cinfraImport?.getNamedImports().find((n) => n.getName() === "Container");
  if (named) className = named.getAliasNode()?.getText() ?? "Container";
  else if (cinfraImport?.getNamespaceImport()) className = `${cinfraImport.getNamespaceImport()!.getText()}.Container`;
  else if (cinfraImport) cinfraImport.addNamedImport("Container");
  else source.insertImportDeclaration(0, { moduleSpecifier: "cinfra", namedImports: ["Container"] });

  const text = renderContainer(name, args, (urn) => variables.get(urn)!, className);
  source.addStatements(`\n// ${comment}\n${text}`);
  await source.save();
  return text;
}
