// Package asyncapi reads AsyncAPI 2.6 and 3.0 descriptions into a small
// model of what an Arazzo workflow needs from them: servers (protocol, host,
// pathname, variables), channels (address and its parameters), operations
// (operationId, action, channel, messages, reply), messages (payload and
// headers schemas, correlationId location) and the bindings that change how
// a message travels (Kafka key, AMQP exchange and routing key, MQTT QoS and
// retain), kept as data.
//
// There is no well-kept Go AsyncAPI parser to depend on (checked December
// 2026): github.com/asyncapi/parser-go reads 2.x only, emits dereferenced
// JSON without positions and is no longer maintained; the newer ones
// (pb33f/libasyncapi, MarkRosemaker/asyncapi) read 3.x only and have no
// release. This package therefore parses with gopkg.in/yaml.v3 node trees,
// which keeps the line and column of everything it reports.
//
// Actions are always in the AsyncAPI 3.0 sense: what the described
// application does. A 2.x "publish" operation (others publish to the
// application) becomes ActionReceive and "subscribe" becomes ActionSend,
// so that both versions read alike; see docs/asyncapi.md.
//
// $refs are followed within a document and into relative files under the
// same access policy as the openapi package's Loader: local files only
// unless AllowRemote is set, every read bounded by MaxBytes, at most
// maxDocuments documents per load, and a document read from a URL never
// makes the loader read a local file. A $ref that cannot be followed is
// recorded as a Problem with its position, and the rest of the document is
// still read.
package asyncapi
