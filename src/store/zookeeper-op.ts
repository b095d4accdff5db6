// One operation of a ZooKeeper transaction (ZooKeeperClient.commit).
export type ZkOp =
  | { type: 'create'; path: string; data: Buffer }
  | { type: 'set'; path: string; data: Buffer; version: number }
  | { type: 'check'; path: string; version: number }
  | { type: 'remove'; path: string; version: number };
