// Starts a real Bluesky PDS with an in-memory PLC directory, bound to
// 127.0.0.1 only, for Tribune's connector tests (see ../shared/peers.md).
// Usage: node pds.mjs <pds-port> <plc-port> <data-dir>
// Prints "READY http://127.0.0.1:<pds-port>" once both listen.
import net from 'node:net'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

const [pdsPort, plcPort, dataDir] = process.argv.slice(2)
if (!pdsPort || !plcPort || !dataDir) {
  console.error('usage: node pds.mjs <pds-port> <plc-port> <data-dir>')
  process.exit(2)
}

// Both servers call listen(port) without a host, which binds every
// interface: force loopback before they are imported.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const port = Number(args[0])
    const rest = args.slice(1).filter((a) => typeof a === 'function')
    return listen.call(this, port, '127.0.0.1', ...rest)
  }
  if (args[0] && typeof args[0] === 'object' && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}

// The PLC forgets everything when it stops: start the PDS from scratch.
fs.rmSync(dataDir, { recursive: true, force: true })
fs.mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })

const { PlcServer, Database } = await import('@did-plc/server')
const plc = PlcServer.create({ db: Database.mock(), port: Number(plcPort) })
await plc.start()

const hex = () => crypto.randomBytes(32).toString('hex')
Object.assign(process.env, {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(pdsPort),
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
  PDS_JWT_SECRET: hex(),
  PDS_ADMIN_PASSWORD: 'admin-pass',
  PDS_DPOP_SECRET: hex(),
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: hex(),
  PDS_DID_PLC_URL: `http://127.0.0.1:${plcPort}`,
  PDS_INVITE_REQUIRED: 'false',
  PDS_DEV_MODE: 'true',
  LOG_ENABLED: 'false',
})
const { PDS, envToCfg, envToSecrets, readEnv } = await import('@atproto/pds')
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
console.log(`READY http://127.0.0.1:${pdsPort}`)

const stop = async () => {
  try { await pds.destroy() } catch {}
  try { await plc.destroy() } catch {}
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
