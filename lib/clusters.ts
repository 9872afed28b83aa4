/**
 * What each S3 service this project targets is like: DreamObjects' two clusters and Ceph RGW.
 * The facts live in the shared core (`core/clusters.ts`), which the embedded server reads too;
 * this module is the library's name for them.
 *
 * @module
 */

export {
  bucketNameProblem,
  type BucketNameRules,
  CLUSTER_IDS,
  type ClusterFacts,
  type ClusterId,
  CLUSTERS,
  DEFAULT_CLUSTER,
  isClusterId,
  RGW,
  S3_BUCKET_NAMES,
  US_EAST_1,
  US_EAST_5,
} from "../core/clusters.ts";
