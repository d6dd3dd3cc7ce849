export { invalidArgument, validationInterceptor } from "./interceptor.js";
export { type Violation, validate } from "./validate.js";
export { inVocabulary, VOCABULARIES } from "./vocabularies.js";
