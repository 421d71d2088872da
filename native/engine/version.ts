import pkg from '../../package.json'

/** The version in package.json (bundled at build time, read by tsx from source). */
export const packageVersion: string = pkg.version
