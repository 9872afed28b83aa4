/**
 * Types shared by the embedded server's parts: users, principals and the resolved address of a
 * request.
 *
 * @module
 */

/** A user of the embedded server: an owner of buckets with one key pair. */
export interface ServerUser {
  /** Canonical user id, shown as the owner `ID` in listings and ACLs. */
  id: string;
  /** Display name, shown in listings and ACLs. */
  displayName: string;
  /** Access key id the user signs with. */
  accessKeyId: string;
  /** Secret access key. Never printed. */
  secretAccessKey: string;
  /** E-mail address, for grants by e-mail (`emailAddress=`, `AmazonCustomerByEmail`). */
  email?: string;
}

/** Who sent a request, once its signature has been checked. */
export type Principal =
  | { readonly kind: "anonymous" }
  | { readonly kind: "user"; readonly user: ServerUser };

/** Which bucket and key a request names, after path-style or virtual-host-style parsing. */
export interface Address {
  /** Bucket name, absent for service-level requests (ListBuckets). */
  bucket?: string;
  /** Object key, decoded; absent for bucket-level requests. */
  key?: string;
  /** True when the bucket came from the Host header (`bucket.localhost:PORT`). */
  virtualHost: boolean;
}
