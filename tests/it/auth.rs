//! Authentication: a JWT obtained, used and refreshed before it expires; failures that are
//! typed errors without secrets (also inside generated operations); one re-authorisation after a
//! revoked token's 401; single-flight token requests; token claims at the limits of `i64`.

use base64::Engine;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_enterprise_api::{Client, Credentials, Error, RetryPolicy, TransportKind};
use redis_enterprise_api_tests::server::{refused_port_url, Recorded, Reply, TestServer};
use redis_enterprise_api_tests::setup::{
    fake_jwt, jwt_client, jwt_server, paths, roles, trusted, PASSWORD, USER,
};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn jwt_is_obtained_used_and_refreshed_before_expiry() {
    let issued = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = issued.clone();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let server = TestServer::https(move |req| {
        let mut tokens = log.lock().expect("lock");
        let current = tokens.last().map(|t| format!("JWT {t}"));
        match req.path.as_str() {
            "/v1/users/authorize" => {
                if req.header("authorization").as_deref() != Some(basic.as_str()) {
                    return Reply::json(401, json!({"error_code": "unauthorized"}));
                }
                let token = fake_jwt(tokens.len(), 1000, 1100);
                tokens.push(token.clone());
                Reply::json(200, json!({"access_token": token}))
            }
            "/v1/users/refresh_jwt" => {
                if req.header("authorization") != current {
                    return Reply::json(401, json!({"error_code": "unauthorized"}));
                }
                let token = fake_jwt(tokens.len(), 1000, 1100);
                tokens.push(token.clone());
                Reply::json(200, json!({"access_token": token}))
            }
            _ if req.header("authorization") == current && current.is_some() => {
                Reply::json(200, roles())
            }
            _ => Reply::json(401, json!({"error_code": "unauthorized"})),
        }
    })
    .await;
    let client = Client::builder(&server.url)
        .credentials(Credentials::jwt(USER, PASSWORD, None))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .no_timeouts()
        .build()
        .expect("client builds");

    client
        .role_list()
        .send()
        .await
        .expect("first call authorizes");
    client
        .role_list()
        .send()
        .await
        .expect("second call reuses the token");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/users/authorize", "/v1/roles", "/v1/roles"]);
    let first = client.jwt_token().await.expect("token held");
    assert!(
        !format!("{client:?}").contains(&first),
        "the token must not appear in Debug"
    );

    tokio::time::advance(Duration::from_secs(85)).await; // past 80 % of the 100 s lifetime
    client.role_list().send().await.expect("token refreshed");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(&paths[3..], ["/v1/users/refresh_jwt", "/v1/roles"]);
    assert_ne!(client.jwt_token().await.expect("token held"), first);

    tokio::time::advance(Duration::from_secs(500)).await; // expired: authorize again
    client
        .role_list()
        .send()
        .await
        .expect("token obtained again");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(&paths[5..], ["/v1/users/authorize", "/v1/roles"]);
    assert_eq!(issued.lock().expect("lock").len(), 3);
}

#[tokio::test]
async fn jwt_failure_is_an_error_without_secrets() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "unauthorized", "description": "bad credentials"}),
        )
    })
    .await;
    let client = Client::builder(&server.url)
        .credentials(Credentials::jwt(
            USER,
            PASSWORD,
            Some(Duration::from_secs(60)),
        ))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("authorize fails");
    let text = format!("{err} {err:?}");
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let sent: serde_json::Value =
        serde_json::from_slice(&server.requests()[0].body).expect("authorize body is JSON");
    assert_eq!(sent["ttl"], 60);
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn revoked_jwt_is_replaced_after_one_401() {
    // Token 0 is revoked on the server long before its claims expire; token 1 works.
    let server = TestServer::https(jwt_server(|n| n >= 1)).await;
    let client = jwt_client(&server);
    let roles = client
        .role_list()
        .send()
        .await
        .expect("the client re-authorises and succeeds")
        .into_inner();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        paths(&server),
        [
            "/v1/users/authorize",
            "/v1/roles",
            "/v1/users/authorize",
            "/v1/roles"
        ]
    );
    client
        .role_list()
        .send()
        .await
        .expect("the new token is kept");
    assert_eq!(server.requests().len(), 5, "no third authorisation");
}

#[tokio::test]
async fn second_401_after_reauthorising_is_a_typed_auth_error() {
    let server = TestServer::https(jwt_server(|_| false)).await;
    let client = jwt_client(&server);
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("every token refused");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("token_revoked"));
    assert_eq!(err.message(), Some("the token was revoked"));
    assert!(err.is_auth_failure());
    assert_eq!(
        paths(&server),
        [
            "/v1/users/authorize",
            "/v1/roles",
            "/v1/users/authorize",
            "/v1/roles"
        ],
        "exactly one re-authorisation"
    );
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
}

#[tokio::test]
async fn basic_401_in_a_generated_operation_is_a_typed_auth_error() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "unauthorized", "description": "bad credentials"}),
        )
    })
    .await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client.bdb_get(1).send().await.expect_err("401");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("unauthorized"));
    assert_eq!(err.message(), Some("bad credentials"));
    assert!(err.api().is_some(), "the server's answer is kept");
    assert_eq!(server.requests().len(), 1, "basic auth is not retried");
}

#[tokio::test]
async fn failed_token_request_inside_a_generated_operation_is_typed_not_a_hook_string() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "invalid_credentials", "description": "wrong password"}),
        )
    })
    .await;
    let client = jwt_client(&server);
    let err = client.bdb_list().send().await.expect_err("authorize fails");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("invalid_credentials"));
    assert_eq!(err.message(), Some("wrong password"));
    assert!(err.is_auth_failure());
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize"],
        "nothing else is sent"
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_token_request() {
    let server = TestServer::https(jwt_server(|_| true)).await;
    let client = jwt_client(&server);
    let calls: Vec<_> = (0..8).map(|_| client.role_list().send()).collect();
    let results = futures_util::future::join_all(calls).await;
    assert_eq!(results.len(), 8);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 8);
    let authorizations = paths(&server)
        .iter()
        .filter(|p| *p == "/v1/users/authorize")
        .count();
    assert_eq!(authorizations, 1, "single flight: {:?}", paths(&server));
    assert_eq!(server.requests().len(), 9);
}

#[tokio::test]
async fn concurrent_callers_of_a_failed_token_request_all_get_its_typed_error() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "invalid_credentials", "description": "wrong password"}),
        )
    })
    .await;
    let client = jwt_client(&server);
    let calls: Vec<_> = (0..4).map(|_| client.role_list().send()).collect();
    let results = futures_util::future::join_all(calls).await;
    assert_eq!(results.len(), 4);
    for result in results {
        let err = result.expect_err("authorize fails");
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert_eq!(err.error_code(), Some("invalid_credentials"));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    }
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize"],
        "one token request for all four"
    );
}

#[tokio::test]
async fn token_request_to_a_refused_port_keeps_its_transport_kind() {
    let url = refused_port_url().await;
    let client = Client::builder(&url)
        .credentials(Credentials::jwt(USER, PASSWORD, None))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.transport_kind(), Some(TransportKind::ConnectionRefused));
    assert!(err.is_connection_refused());
    let text = format!(
        "{err}: {}",
        std::error::Error::source(&err)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    assert!(text.contains("connection refused"), "{text}");
    assert!(!format!("{err:?}").contains(PASSWORD));
}

#[tokio::test]
async fn token_claims_at_the_limits_of_i64_do_not_panic() {
    for (iat, exp) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (0, 0), (5, -5)] {
        let server = TestServer::https(move |req: &Recorded| {
            if req.path == "/v1/users/authorize" {
                Reply::json(200, json!({"access_token": fake_jwt(0, iat, exp)}))
            } else {
                Reply::json(200, roles())
            }
        })
        .await;
        let client = jwt_client(&server);
        client
            .role_list()
            .send()
            .await
            .unwrap_or_else(|e| panic!("claims iat={iat} exp={exp}: {e:?}"));
        client.role_list().send().await.expect("second call");
        assert!(client.jwt_token().await.is_some());
    }
}
