// ts-jest wants a transformer module with name, version and factory; this adapts the Swagger CLI plugin to that shape,
// so specs compile with the same plugin `nest build` applies.
const { before } = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) =>
  before({ introspectComments: true, classValidatorShim: true }, compiler.program);
