// etcd's client-visible errors. `message` is exactly the string an etcd 3.4 client sees (the
// gRPC status message, also the JSON gateway's "error"/"message") and `code` is the gRPC status
// code number (3 InvalidArgument, 5 NotFound, 9 FailedPrecondition, 11 OutOfRange), as in
// etcd's api/v3rpc/rpctypes/error.go.

export class EtcdError extends Error {
  override readonly name = 'EtcdError';
  readonly code: number;

  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

/** gRPC status codes used by the store's errors. */
export const GrpcCode = {
  InvalidArgument: 3,
  NotFound: 5,
  FailedPrecondition: 9,
  OutOfRange: 11,
} as const;

/** Every error the store raises, by etcd's own names (rpctypes.ErrGRPC...). */
export const ErrorMessages = {
  EmptyKey: 'etcdserver: key is not provided',
  KeyNotFound: 'etcdserver: key not found',
  ValueProvided: 'etcdserver: value is provided',
  LeaseProvided: 'etcdserver: lease is provided',
  TooManyOps: 'etcdserver: too many operations in txn request',
  DuplicateKey: 'etcdserver: duplicate key given in txn request',
  Compacted: 'etcdserver: mvcc: required revision has been compacted',
  FutureRev: 'etcdserver: mvcc: required revision is a future revision',
  LeaseNotFound: 'etcdserver: requested lease not found',
  LeaseExist: 'etcdserver: lease already exists',
  LeaseTTLTooLarge: 'etcdserver: too large lease TTL',
} as const;

export type EtcdErrorName = keyof typeof ErrorMessages;

const codes: Record<EtcdErrorName, number> = {
  EmptyKey: GrpcCode.InvalidArgument,
  KeyNotFound: GrpcCode.InvalidArgument,
  ValueProvided: GrpcCode.InvalidArgument,
  LeaseProvided: GrpcCode.InvalidArgument,
  TooManyOps: GrpcCode.InvalidArgument,
  DuplicateKey: GrpcCode.InvalidArgument,
  Compacted: GrpcCode.OutOfRange,
  FutureRev: GrpcCode.OutOfRange,
  LeaseNotFound: GrpcCode.NotFound,
  LeaseExist: GrpcCode.FailedPrecondition,
  LeaseTTLTooLarge: GrpcCode.OutOfRange,
};

/** A fresh EtcdError for one of etcd's errors. */
export function etcdError(name: EtcdErrorName): EtcdError {
  return new EtcdError(ErrorMessages[name], codes[name]);
}
