// kafkajs driven by KafkajsClientTest, one command per run:
//   node kafkajs_client.js <bootstrap> <command> [args...]
// Prints one line per result, in a plain format the test compares exactly; kafkajs' own log
// goes to stderr. Exits 1 if a call fails. There is no consume command: kafkajs consumes only
// in a consumer group, and Lakestream has none yet, so the test reads back with another client.
'use strict'
const { Kafka, CompressionTypes, Partitioners, logLevel } = require('kafkajs')

const [bootstrap, command, ...args] = process.argv.slice(2)
const kafka = new Kafka({
  clientId: 'lakestream-kafkajs-client',
  brokers: [bootstrap],
  logLevel: logLevel.INFO,
  logCreator: () => ({ namespace, level, label, log }) =>
    process.stderr.write(`${label} ${namespace} ${JSON.stringify(log)}\n`),
})

async function withAdmin(action) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await action(admin)
  } finally {
    await admin.disconnect()
  }
}

const commands = {
  // create-topic <topic> <partitions> [replication]: kafkajs answers false for an existing topic.
  'create-topic': ([topic, partitions, replication]) => withAdmin(async admin => {
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: Number(partitions), replicationFactor: Number(replication || 1) }],
      })
      console.log('created', topic, created)
    } catch (e) {
      const types = (e.errors || [e]).map(error => error.type || error.name)
      console.log('failed', topic, types.join(','))
    }
  }),

  'create-partitions': ([topic, count]) => withAdmin(async admin => {
    await admin.createPartitions({ topicPartitions: [{ topic, count: Number(count) }] })
    console.log('partitions', topic, count)
  }),

  'delete-topic': ([topic]) => withAdmin(async admin => {
    await admin.deleteTopics({ topics: [topic] })
    console.log('deleted', topic)
  }),

  // delete-records <topic> <partition> <offset>: kafkajs needs the topic's metadata loaded first.
  'delete-records': ([topic, partition, offset]) => withAdmin(async admin => {
    await admin.fetchTopicMetadata({ topics: [topic] })
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: Number(partition), offset }] })
    console.log('deleted before', topic, partition, offset)
  }),

  'list-topics': () => withAdmin(async admin => {
    for (const topic of (await admin.listTopics()).sort()) console.log('topic', topic)
  }),

  'describe-cluster': () => withAdmin(async admin => {
    const cluster = await admin.describeCluster()
    for (const broker of cluster.brokers) console.log('broker', broker.nodeId, `${broker.host}:${broker.port}`)
    console.log('controller', cluster.controller)
  }),

  metadata: ([topic]) => withAdmin(async admin => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    for (const p of topics[0].partitions.sort((a, b) => a.partitionId - b.partitionId)) {
      console.log('partition', p.partitionId, 'leader', p.leader, 'replicas', p.replicas.join(','),
        'isr', p.isr.join(','), 'error', p.partitionErrorCode)
    }
  }),

  // produce <topic> <count> <partitions> <none|gzip> [padding] [timestamp base]: messages k<i> /
  // v<i> + padding, round-robin over the partitions, stamped base + 1000 i if a base is given,
  // sent in sends of 10 by an idempotent producer with acks=all.
  produce: async ([topic, count, partitions, compression, padding, timestampBase]) => {
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    try {
      const codec = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[compression]
      for (let start = 0; start < Number(count); start += 10) {
        const messages = []
        for (let i = start; i < Math.min(start + 10, Number(count)); i++) {
          messages.push({
            key: `k${i}`,
            value: `v${i}` + 'z'.repeat(Number(padding || 0)),
            partition: i % Number(partitions),
            headers: { seq: String(i) },
            ...(timestampBase ? { timestamp: String(Number(timestampBase) + 1000 * i) } : {}),
          })
        }
        const results = await producer.send({ topic, acks: -1, compression: codec, messages })
        for (const r of results.sort((a, b) => a.partition - b.partition)) {
          console.log('sent', r.partition, r.baseOffset, r.errorCode)
        }
      }
    } finally {
      await producer.disconnect()
    }
  },

  offsets: ([topic]) => withAdmin(async admin => {
    for (const p of (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition)) {
      console.log('offsets', p.partition, p.low, p.high)
    }
  }),

  'offsets-by-time': ([topic, timestamp]) => withAdmin(async admin => {
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, Number(timestamp))
    for (const p of found.sort((a, b) => a.partition - b.partition)) console.log('time', p.partition, p.offset)
  }),
}

if (!commands[command]) {
  console.error(`unknown command ${command}; one of ${Object.keys(commands).join(', ')}`)
  process.exit(2)
}
commands[command](args).catch(e => {
  console.error('failed:', e)
  process.exit(1)
})
