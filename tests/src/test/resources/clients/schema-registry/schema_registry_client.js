// kafkajs and @kafkajs/confluent-schema-registry, unchanged, against Lakestream: registers a
// schema in the broker's schema registry and produces values encoded with it, as an
// application would. Driven by SchemaRegistryClientTest.
//
//   node schema_registry_client.js BOOTSTRAP REGISTRY_URL avro|protobuf TOPIC COUNT
//
// Prints "registered ID", then "sent N", then "decoded FIRST_VALUE_AS_JSON".
const { Kafka, logLevel } = require('kafkajs')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const [bootstrap, registryUrl, format, topic, countText] = process.argv.slice(2)
const count = Number(countText)

const AVRO_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'paid', type: 'boolean' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
}

const PROTO_SCHEMA = `
syntax = "proto3";
package shop;

message Order {
  int64 id = 1;
  string customer = 2;
  double amount = 3;
  bool paid = 4;
  repeated string tags = 5;
}
`

function order(i) {
  return { id: i, customer: `c${i}`, amount: i + 0.5, paid: i % 2 === 0, tags: [`t${i}`, 'x'] }
}

async function main() {
  const registry = new SchemaRegistry({ host: registryUrl })
  const schema = format === 'avro'
    ? { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_SCHEMA) }
    : { type: SchemaType.PROTOBUF, schema: PROTO_SCHEMA }
  const { id } = await registry.register(schema, { subject: `${topic}-value` })
  console.log(`registered ${id}`)

  const kafka = new Kafka({ clientId: 'schema-registry-client', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  const messages = []
  for (let i = 0; i < count; i++) {
    let value = await registry.encode(id, format === 'avro' ? { ...order(i), note: i === 0 ? 'first' : null } : order(i))
    if (format === 'protobuf') {
      // This client writes no message indexes (Confluent's serializers write [0] as a single 0
      // byte after the schema id): add them, so the value is in Confluent's wire format.
      value = Buffer.concat([value.subarray(0, 5), Buffer.from([0]), value.subarray(5)])
    }
    messages.push({ key: `k${i}`, value })
  }
  await producer.send({ topic, messages })
  await producer.disconnect()
  console.log(`sent ${messages.length}`)

  // The registry answers the schema by id, as any consumer asks it.
  const decoded = await registry.decode(format === 'avro' ? messages[0].value
    : Buffer.concat([messages[0].value.subarray(0, 5), messages[0].value.subarray(6)]))
  console.log(`decoded ${JSON.stringify(decoded)}`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
