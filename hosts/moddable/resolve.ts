// Names to IPv4 addresses: the SDK's ECMA-419 sockets take addresses only.

import Net from "net";

const IPV4 = () => /^\d{1,3}(\.\d{1,3}){3}$/;

/** `host` itself when it is an IPv4 address, else what DNS says; rejects naming the host when DNS has no answer. */
export function resolveAddress(host: string): Promise<string> {
  if (IPV4().test(host)) return Promise.resolve(host);
  return new Promise((resolve, reject) => {
    Net.resolve(host, (_name, address) => {
      if (address) resolve(address);
      else reject(new Error(`no address for ${host} (DNS); give server=<address>[:port]`));
    });
  });
}
