/**
 * Stands in for `ajv` and `ajv-formats` in the bundle (tsup.config.ts aliases both here). Nothing
 * may construct them: the server and the doctor's client are given `noJsonSchemaValidation`.
 */
export default function ajvIsNotBundled(): never {
  throw new Error('ajv is not bundled in claude-intercom: pass `jsonSchemaValidator: noJsonSchemaValidation`.');
}
