//! The verbs on single objects: get, server-side apply (field manager `ferry`, force) and its
//! dry-run, create, replace and delete (background propagation). A server that does not do
//! server-side apply (415) gets a create or a JSON merge patch instead, remembered per client.

use ferry_types::{Gvk, ObjectKey};
use kube::api::{DeleteParams, GetParams, Patch, PatchParams, PostParams, ValidationDirective};
use kube::core::Request;
use serde_json::Value;

use super::{ClusterClient, ResourceInfo};
use crate::{Error, Result};

/// The field manager ferry writes as.
pub const FIELD_MANAGER: &str = ferry_diff::FIELD_MANAGER;

/// How to send one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// `dryRun=All`: the server validates and answers, nothing is stored.
    pub dry_run: bool,
    /// Strict field validation (unknown and duplicate fields are errors); `Validate=false`
    /// turns it off.
    pub validate: bool,
}

impl WriteOptions {
    /// A real, validated write.
    pub const APPLY: Self = Self {
        dry_run: false,
        validate: true,
    };
    /// A validated dry run.
    pub const DRY_RUN: Self = Self {
        dry_run: true,
        validate: true,
    };
}

impl ClusterClient {
    /// The served resource of an object, from its `apiVersion` and `kind`.
    pub async fn resource_of(&self, object: &Value) -> Result<std::sync::Arc<ResourceInfo>> {
        self.resource(&gvk_of(object)).await
    }

    /// Reads one object; `None` when it does not exist.
    pub async fn get(
        &self,
        resource: &ResourceInfo,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Value>> {
        let label = label(resource, namespace, name);
        let request = Request::new(resource.collection_path(Some(namespace)))
            .get(name, &GetParams::default())
            .map_err(|error| build_error("get", &label, error))?;
        match self.send::<Value>(request).await {
            Ok(object) => Ok(Some(object)),
            Err(error) => match api_error("get", &label, error) {
                error if error.is_not_found() => Ok(None),
                error => Err(error),
            },
        }
    }

    /// Reads the live state of an object key.
    pub async fn get_key(&self, resource: &ResourceInfo, key: &ObjectKey) -> Result<Option<Value>> {
        self.get(resource, &key.namespace, &key.name).await
    }

    /// Server-side apply by field manager `ferry` with force; returns the object as stored (or
    /// as it would be, for a dry run).
    pub async fn apply(&self, object: &Value, options: WriteOptions) -> Result<Value> {
        let resource = self.resource_of(object).await?;
        let (namespace, name) = identity(object);
        if self.server_side_apply() != Some(false) {
            let label = label(&resource, namespace, name);
            let params = PatchParams {
                dry_run: options.dry_run,
                force: true,
                field_manager: Some(FIELD_MANAGER.into()),
                field_validation: Some(validation(options)),
            };
            let request = Request::new(resource.collection_path(Some(namespace)))
                .patch(name, &params, &Patch::Apply(object))
                .map_err(|error| build_error("apply", &label, error))?;
            match self.send::<Value>(request).await {
                Ok(applied) => {
                    self.set_server_side_apply(true);
                    return Ok(applied);
                }
                Err(error) => match api_error("apply", &label, error) {
                    error if error.code() == Some(415) => self.set_server_side_apply(false),
                    error => return Err(error),
                },
            }
        }
        self.apply_without_server_side_apply(&resource, object, options)
            .await
    }

    /// A client-side style apply (per-object `ServerSideApply=false`): create when missing,
    /// else a JSON merge patch of the whole object, by field manager `ferry`.
    pub async fn apply_client_side(&self, object: &Value, options: WriteOptions) -> Result<Value> {
        let resource = self.resource_of(object).await?;
        self.apply_without_server_side_apply(&resource, object, options)
            .await
    }

    /// For servers without server-side apply: create when missing, else a JSON merge patch of
    /// the whole object. Fields removed from the manifest stay on the server.
    async fn apply_without_server_side_apply(
        &self,
        resource: &ResourceInfo,
        object: &Value,
        options: WriteOptions,
    ) -> Result<Value> {
        let (namespace, name) = identity(object);
        if self.get(resource, namespace, name).await?.is_none() {
            return self.create(object, options).await;
        }
        let label = label(resource, namespace, name);
        let mut patch = object.clone();
        if let Some(metadata) = patch.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("resourceVersion");
        }
        let params = PatchParams {
            dry_run: options.dry_run,
            field_manager: Some(FIELD_MANAGER.into()),
            ..PatchParams::default()
        };
        let request = Request::new(resource.collection_path(Some(namespace)))
            .patch(name, &params, &Patch::Merge(&patch))
            .map_err(|error| build_error("apply", &label, error))?;
        self.send::<Value>(request)
            .await
            .map_err(|error| api_error("apply", &label, error))
    }

    /// Creates an object (`generateName` is honoured); returns it as stored.
    pub async fn create(&self, object: &Value, options: WriteOptions) -> Result<Value> {
        let resource = self.resource_of(object).await?;
        let (namespace, name) = identity(object);
        let label = label(&resource, namespace, name);
        let params = PostParams {
            dry_run: options.dry_run,
            field_manager: Some(FIELD_MANAGER.into()),
        };
        let body = serde_json::to_vec(object).map_err(|error| Error::Request {
            verb: "create",
            object: label.clone(),
            source: kube::Error::SerdeError(error),
        })?;
        let request = Request::new(resource.collection_path(Some(namespace)))
            .create(&params, body)
            .map_err(|error| build_error("create", &label, error))?;
        self.send::<Value>(request)
            .await
            .map_err(|error| api_error("create", &label, error))
    }

    /// Replaces an object whole (`Replace=true`), creating it when missing.
    pub async fn replace(&self, object: &Value, options: WriteOptions) -> Result<Value> {
        let resource = self.resource_of(object).await?;
        let (namespace, name) = identity(object);
        let Some(live) = self.get(&resource, namespace, name).await? else {
            return self.create(object, options).await;
        };
        let label = label(&resource, namespace, name);
        let mut replacement = object.clone();
        if let (Some(metadata), Some(version)) = (
            replacement
                .get_mut("metadata")
                .and_then(Value::as_object_mut),
            live.pointer("/metadata/resourceVersion"),
        ) {
            metadata.insert("resourceVersion".into(), version.clone());
        }
        let params = PostParams {
            dry_run: options.dry_run,
            field_manager: Some(FIELD_MANAGER.into()),
        };
        let body = serde_json::to_vec(&replacement).map_err(|error| Error::Request {
            verb: "replace",
            object: label.clone(),
            source: kube::Error::SerdeError(error),
        })?;
        let request = Request::new(resource.collection_path(Some(namespace)))
            .replace(name, &params, body)
            .map_err(|error| build_error("replace", &label, error))?;
        self.send::<Value>(request)
            .await
            .map_err(|error| api_error("replace", &label, error))
    }

    /// Deletes an object with background propagation; an object already gone is fine.
    pub async fn delete(
        &self,
        resource: &ResourceInfo,
        key: &ObjectKey,
        dry_run: bool,
    ) -> Result<()> {
        let label = label(resource, &key.namespace, &key.name);
        let params = DeleteParams {
            dry_run,
            ..DeleteParams::background()
        };
        let request = Request::new(resource.collection_path(Some(&key.namespace)))
            .delete(&key.name, &params)
            .map_err(|error| build_error("delete", &label, error))?;
        match self.send_text(request).await {
            Ok(_) => Ok(()),
            Err(error) => match api_error("delete", &label, error) {
                error if error.is_not_found() => Ok(()),
                error => Err(error),
            },
        }
    }
}

/// Group, version and kind of an object.
pub fn gvk_of(object: &Value) -> Gvk {
    Gvk::from_api_version(
        object["apiVersion"].as_str().unwrap_or(""),
        object["kind"].as_str().unwrap_or(""),
    )
}

/// Namespace and name (or `generateName`) of an object.
fn identity(object: &Value) -> (&str, &str) {
    let metadata = &object["metadata"];
    let namespace = metadata["namespace"].as_str().unwrap_or("");
    let name = metadata["name"]
        .as_str()
        .filter(|name| !name.is_empty())
        .unwrap_or("");
    (namespace, name)
}

fn label(resource: &ResourceInfo, namespace: &str, name: &str) -> String {
    ObjectKey {
        group: resource.group.clone(),
        kind: resource.kind.clone(),
        namespace: if resource.namespaced {
            namespace.to_string()
        } else {
            String::new()
        },
        name: if name.is_empty() {
            "(generated name)".into()
        } else {
            name.to_string()
        },
    }
    .to_string()
}

fn validation(options: WriteOptions) -> ValidationDirective {
    if options.validate {
        ValidationDirective::Strict
    } else {
        ValidationDirective::Ignore
    }
}

fn build_error(verb: &'static str, object: &str, error: kube::core::request::Error) -> Error {
    Error::Request {
        verb,
        object: object.to_string(),
        source: kube::Error::BuildRequest(error),
    }
}

/// An API status becomes [`Error::Api`] with its code, reason and first named field.
pub(crate) fn api_error(verb: &'static str, object: &str, error: kube::Error) -> Error {
    match error {
        kube::Error::Api(status) => Error::Api {
            verb,
            object: object.to_string(),
            code: status.code,
            reason: status.reason.clone(),
            field: status
                .details
                .as_ref()
                .and_then(|details| details.causes.iter().find(|cause| !cause.field.is_empty()))
                .map(|cause| cause.field.clone()),
            message: status.message.clone(),
        },
        source => Error::Request {
            verb,
            object: object.to_string(),
            source,
        },
    }
}
