/**
 * The embedded server's one error table: every S3 error code it can answer with, its HTTP status
 * and its default message, as Ceph RGW (the gateway DreamObjects runs) answers them.
 *
 * @module
 */

/** HTTP status and default message of each S3 error code the server can send. */
export const ERRORS = {
  AccessControlListNotSupported: [400, "The bucket does not allow ACLs"],
  AccessDenied: [403, "Access Denied"],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed"],
  AuthorizationQueryParametersError: [
    400,
    "The query-string authentication parameters are invalid",
  ],
  BadDigest: [400, "The Content-MD5 you specified did not match what we received"],
  BucketAlreadyExists: [409, "The requested bucket name is not available"],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded"],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size"],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size"],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length"],
  InternalError: [500, "We encountered an internal error. Please try again"],
  InvalidAccessKeyId: [403, "The access key Id you provided does not exist in our records"],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketName: [400, "The specified bucket is not valid"],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid"],
  InvalidLocationConstraint: [400, "The specified location-constraint is not valid"],
  InvalidPart: [400, "One or more of the specified parts could not be found"],
  InvalidPartOrder: [400, "The list of parts was not in ascending order"],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidTag: [400, "The tag provided was not a valid tag"],
  KeyTooLongError: [400, "Your key is too long"],
  LimitExceeded: [400, "The request exceeds a limit of this server"],
  MalformedACLError: [400, "The XML you provided was not well-formed or did not validate"],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate"],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource"],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header"],
  MissingSecurityHeader: [400, "Your request is missing a required header"],
  NoSuchCORSConfiguration: [404, "The CORS configuration does not exist"],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchKey: [404, "The specified key does not exist"],
  NoSuchUpload: [404, "The specified multipart upload does not exist"],
  NotImplemented: [501, "A header or operation you provided implies functionality not implemented"],
  NotModified: [304, "Not Modified"],
  OperationAborted: [
    409,
    "A conflicting conditional operation is currently in progress against this resource",
  ],
  PreconditionFailed: [412, "At least one of the preconditions you specified did not hold"],
  RequestTimeTooSkewed: [
    403,
    "The difference between the request time and the server's time is too large",
  ],
  RequestTimeout: [
    400,
    "Your socket connection to the server was not read from or written to within the timeout period",
  ],
  SignatureDoesNotMatch: [
    403,
    "The request signature we calculated does not match the signature you provided",
  ],
  ServiceUnavailable: [503, "The service is unable to handle the request"],
  SlowDown: [503, "Please reduce your request rate"],
  UnresolvableGrantByEmailAddress: [
    400,
    "The e-mail address you provided does not match any account on record",
  ],
  XAmzContentSHA256Mismatch: [
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed",
  ],
} as const satisfies Record<string, readonly [number, string]>;

/** An S3 error code known to the embedded server. */
export type S3ErrorCode = keyof typeof ERRORS;

/** Extra fields some errors carry in their XML body (RGW and AWS add them). */
export interface S3ErrorFields {
  /** Bucket the request named, sent as `<BucketName>`. */
  bucketName?: string;
  /** Key the request named, sent as `<Key>`. */
  key?: string;
  /** Any further elements, e.g. `StringToSign`, `CanonicalRequest`, `ArgumentName`. */
  extra?: Record<string, string>;
}

/**
 * An error the server answers with: the code decides status and default message.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Error } from "./errors.ts";
 *
 * const err = new S3Error("NoSuchBucket", undefined, { bucketName: "demo" });
 * assert.equal(err.status, 404);
 * assert.equal(err.code, "NoSuchBucket");
 * ```
 */
export class S3Error extends Error {
  /** The S3 error code, e.g. `NoSuchKey`. */
  readonly code: S3ErrorCode;
  /** The HTTP status that goes with the code. */
  readonly status: number;
  /** Extra XML fields. */
  readonly fields: S3ErrorFields;

  /**
   * @param code The S3 error code.
   * @param message Overrides the table's default message.
   * @param fields Extra XML fields for the body.
   */
  constructor(code: S3ErrorCode, message?: string, fields: S3ErrorFields = {}) {
    super(message ?? ERRORS[code][1]);
    this.name = "S3Error";
    this.code = code;
    this.status = ERRORS[code][0];
    this.fields = fields;
  }
}
