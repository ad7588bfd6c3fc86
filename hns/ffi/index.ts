export { createFfiApi } from './api';
export { guidToStruct, structToGuid, type GuidStruct } from './guid-struct';
