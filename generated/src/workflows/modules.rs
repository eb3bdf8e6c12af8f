//! Module uploads: the operations the generator cannot express (multipart/form-data bodies,
//! marked `x-handwritten: true` in the spec). They go through the same version check,
//! authentication, tracing and error decoding as generated operations; they are never retried
//! (the body is a stream).

use std::marker::PhantomData;

use progenitor_client::ResponseValue;
use reqwest::multipart::{Form, Part};

use crate::error::Error;
use crate::{types, Client};

impl Client {
    async fn upload_module(
        &self,
        operation_id: &'static str,
        path: &str,
        file_name: &str,
        package: reqwest::Body,
    ) -> Result<reqwest::Response, Error> {
        let part = Part::stream(package)
            .file_name(file_name.to_string())
            .mime_str("application/zip")
            .map_err(Error::Transport)?;
        let form = Form::new().part("module", part);
        let mut request = self
            .client
            .post(format!("{}{}", self.baseurl, path))
            .multipart(form)
            .build()?;
        crate::hooks::prepare(self, &mut request, operation_id).await?;
        Ok(crate::hooks::execute_with_retries(self, request, operation_id).await?)
    }

    /// An upload whose success is documented without a body (any body sent is kept).
    async fn upload_module_no_body(
        &self,
        operation_id: &'static str,
        path: &str,
        file_name: &str,
        package: reqwest::Body,
    ) -> Result<ResponseValue<crate::UndocumentedBody>, Error> {
        let response = self
            .upload_module(operation_id, path, file_name, package)
            .await?;
        if response.status().is_success() {
            crate::decode::undocumented_response(response).await
        } else {
            Err(crate::decode::error_response(response).await)
        }
    }

    /// Uploads a module package (`POST /v2/local/modules/user-defined/artifacts`): a `.zip` with
    /// the module's `.so` and its `module.json`, for a user-defined module, to this node.
    /// [`send`](ModuleUpload::send) makes the request, like every operation's builder.
    ///
    /// Documented since Redis Software 8.0. Written by hand: the body is multipart/form-data.
    pub fn module_user_defined_artifact_upload<'a>(
        &'a self,
        file_name: &'a str,
        package: impl Into<reqwest::Body>,
    ) -> ModuleUpload<'a, crate::UndocumentedBody> {
        ModuleUpload::new(
            self,
            "module_user_defined_artifact_upload",
            "/v2/local/modules/user-defined/artifacts",
            file_name,
            package.into(),
        )
    }

    /// Uploads a module package (`POST /v1/modules`); [`send`](ModuleUpload::send) makes the
    /// request.
    ///
    /// **Deprecated:** removed in Redis Software 8.0; kept for older clusters. Written by hand:
    /// the body is multipart/form-data.
    pub fn module_create<'a>(
        &'a self,
        file_name: &'a str,
        package: impl Into<reqwest::Body>,
    ) -> ModuleUpload<'a, crate::UndocumentedBody> {
        ModuleUpload::new(
            self,
            "module_create",
            "/v1/modules",
            file_name,
            package.into(),
        )
    }

    /// Uploads a module package and starts its installation as an action (`POST /v2/modules`);
    /// [`send`](ModuleUpload::send) makes the request.
    ///
    /// **Deprecated:** removed in Redis Software 8.0; kept for older clusters. Written by hand:
    /// the body is multipart/form-data.
    pub fn module_create_v2<'a>(
        &'a self,
        file_name: &'a str,
        package: impl Into<reqwest::Body>,
    ) -> ModuleUpload<'a, types::ModuleCreateV2Response> {
        ModuleUpload::new(
            self,
            "module_create_v2",
            "/v2/modules",
            file_name,
            package.into(),
        )
    }
}

/// Request builder of a module upload ([`Client::module_create`], [`Client::module_create_v2`],
/// [`Client::module_user_defined_artifact_upload`]): the package is already given, so
/// [`send`](Self::send) is all there is to call. `T` is the decoded success body.
#[must_use = "the request is sent only by `send()`"]
pub struct ModuleUpload<'a, T> {
    client: &'a Client,
    operation_id: &'static str,
    path: &'static str,
    file_name: &'a str,
    package: reqwest::Body,
    success: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for ModuleUpload<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleUpload")
            .field("operation_id", &self.operation_id)
            .field("path", &self.path)
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

impl<'a, T> ModuleUpload<'a, T> {
    fn new(
        client: &'a Client,
        operation_id: &'static str,
        path: &'static str,
        file_name: &'a str,
        package: reqwest::Body,
    ) -> Self {
        ModuleUpload {
            client,
            operation_id,
            path,
            file_name,
            package,
            success: PhantomData,
        }
    }
}

impl ModuleUpload<'_, crate::UndocumentedBody> {
    /// Sends the upload; success is documented without a body, but any body the server sends is
    /// kept.
    pub async fn send(self) -> Result<ResponseValue<crate::UndocumentedBody>, Error> {
        self.client
            .upload_module_no_body(self.operation_id, self.path, self.file_name, self.package)
            .await
    }
}

impl ModuleUpload<'_, types::ModuleCreateV2Response> {
    /// Sends the upload and decodes the action it started.
    pub async fn send(self) -> Result<ResponseValue<types::ModuleCreateV2Response>, Error> {
        let response = self
            .client
            .upload_module(self.operation_id, self.path, self.file_name, self.package)
            .await?;
        if response.status().is_success() {
            crate::decode::from_response(response).await
        } else {
            Err(crate::decode::error_response(response).await)
        }
    }
}
