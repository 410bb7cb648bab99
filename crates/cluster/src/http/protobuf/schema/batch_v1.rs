//! The message tables of `k8s.io/api` batch/v1: field numbers and JSON names from the protobuf and json
//! tags of its Go types.

use super::super::message::Kind::*;
use super::super::message::Presence::*;
use super::super::message::{Message, field, message};
use super::core_v1;
use super::meta_v1;

/// `Job`.
pub static JOB: Message = message(
    "Job",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&JOB_SPEC), Present),
        field(3, "status", Opaque("JobStatus"), Present),
    ],
);

/// `CronJob`.
pub static CRON_JOB: Message = message(
    "CronJob",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&CRON_JOB_SPEC), Present),
        field(3, "status", Opaque("CronJobStatus"), Present),
    ],
);

/// `JobSpec`.
pub static JOB_SPEC: Message = message(
    "JobSpec",
    &[
        field(1, "parallelism", Int32, Present),
        field(2, "completions", Int32, Present),
        field(3, "activeDeadlineSeconds", Int64, Present),
        field(11, "podFailurePolicy", Opaque("PodFailurePolicy"), Present),
        field(16, "successPolicy", Opaque("SuccessPolicy"), Present),
        field(7, "backoffLimit", Int32, Present),
        field(12, "backoffLimitPerIndex", Int32, Present),
        field(13, "maxFailedIndexes", Int32, Present),
        field(4, "selector", Nested(&meta_v1::LABEL_SELECTOR), Present),
        field(5, "manualSelector", Bool, Present),
        field(6, "template", Nested(&core_v1::POD_TEMPLATE_SPEC), Present),
        field(8, "ttlSecondsAfterFinished", Int32, Present),
        field(9, "completionMode", Text, Present),
        field(10, "suspend", Bool, Present),
        field(14, "podReplacementPolicy", Text, Present),
        field(15, "managedBy", Text, Present),
        field(
            17,
            "scheduling",
            Opaque("JobSchedulingConfiguration"),
            Present,
        ),
    ],
);

/// `CronJobSpec`.
pub static CRON_JOB_SPEC: Message = message(
    "CronJobSpec",
    &[
        field(1, "schedule", Text, Kept),
        field(8, "timeZone", Text, Present),
        field(2, "startingDeadlineSeconds", Int64, Present),
        field(3, "concurrencyPolicy", Text, Omitted),
        field(4, "suspend", Bool, Present),
        field(5, "jobTemplate", Nested(&JOB_TEMPLATE_SPEC), Present),
        field(6, "successfulJobsHistoryLimit", Int32, Present),
        field(7, "failedJobsHistoryLimit", Int32, Present),
    ],
);

/// `JobTemplateSpec`.
pub static JOB_TEMPLATE_SPEC: Message = message(
    "JobTemplateSpec",
    &[
        field(1, "metadata", Nested(&meta_v1::OBJECT_META), Present),
        field(2, "spec", Nested(&JOB_SPEC), Present),
    ],
);
