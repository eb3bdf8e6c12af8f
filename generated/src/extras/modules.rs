//! Module uploads: the operations the generator cannot express (multipart/form-data bodies,
//! marked `x-handwritten: true` in the spec). They go through the same version check,
//! authentication, tracing and error decoding as generated operations; they are never retried
//! (the body is a stream).

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
        self.prepare_raw(&mut request, operation_id).await?;
        Ok(self.execute_with_retries(request, operation_id).await?)
    }

    /// An upload whose success has no body.
    async fn upload_module_no_body(
        &self,
        operation_id: &'static str,
        path: &str,
        file_name: &str,
        package: reqwest::Body,
    ) -> Result<ResponseValue<()>, Error> {
        let response = self
            .upload_module(operation_id, path, file_name, package)
            .await?;
        if response.status().is_success() {
            Ok(ResponseValue::empty(response))
        } else {
            Err(crate::decode::error_response(response).await)
        }
    }

    /// Uploads a module package (`POST /v2/local/modules/user-defined/artifacts`): a `.zip` with
    /// the module's `.so` and its `module.json`, for a user-defined module, to this node.
    ///
    /// Documented since Redis Software 8.0. Written by hand: the body is multipart/form-data.
    pub async fn module_user_defined_artifact_upload(
        &self,
        file_name: &str,
        package: impl Into<reqwest::Body>,
    ) -> Result<ResponseValue<()>, Error> {
        self.upload_module_no_body(
            "module_user_defined_artifact_upload",
            "/v2/local/modules/user-defined/artifacts",
            file_name,
            package.into(),
        )
        .await
    }

    /// Uploads a module package (`POST /v1/modules`).
    ///
    /// **Deprecated:** removed in Redis Software 8.0; kept for older clusters. Written by hand:
    /// the body is multipart/form-data.
    pub async fn module_create(
        &self,
        file_name: &str,
        package: impl Into<reqwest::Body>,
    ) -> Result<ResponseValue<()>, Error> {
        self.upload_module_no_body("module_create", "/v1/modules", file_name, package.into())
            .await
    }

    /// Uploads a module package and starts its installation as an action (`POST /v2/modules`).
    ///
    /// **Deprecated:** removed in Redis Software 8.0; kept for older clusters. Written by hand:
    /// the body is multipart/form-data.
    pub async fn module_create_v2(
        &self,
        file_name: &str,
        package: impl Into<reqwest::Body>,
    ) -> Result<ResponseValue<types::ModuleCreateV2Response>, Error> {
        let response = self
            .upload_module("module_create_v2", "/v2/modules", file_name, package.into())
            .await?;
        if response.status().is_success() {
            crate::decode::from_response(response).await
        } else {
            Err(crate::decode::error_response(response).await)
        }
    }
}
