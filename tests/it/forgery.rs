//! The decode report (`DecodeReport`: `unfit_properties`, `body_was_empty`, `unwrapped_from`)
//! is written by the client only: a server or proxy that sends the headers the report is kept
//! in cannot set it (issue 20, item 2).

use redis_enterprise_api::unfit::{BODY_HEADER, UNFIT_HEADER};
use redis_enterprise_api::{Client, DecodeReport};
use redis_enterprise_api_tests::server::{Reply, TestServer};
use serde_json::json;

fn client(server: &TestServer) -> Client {
    Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn report_headers_sent_by_the_server_are_not_the_report() {
    // A documented body, with every report header forged (twice, and in other letter cases).
    let server = TestServer::https(|_| {
        Reply::json(200, json!([{"uid": 1, "name": "a"}]))
            .header(UNFIT_HEADER, r#"["[0].name","forged"]"#)
            .header(&UNFIT_HEADER.to_ascii_uppercase(), r#"["forged.too"]"#)
            .header(BODY_HEADER, "empty")
            .header(BODY_HEADER, "unwrapped:roles")
    })
    .await;
    let response = client(&server).role_list().send().await.expect("decodes");
    assert_eq!(response.unfit_properties(), Vec::<String>::new());
    assert!(!response.body_was_empty());
    assert_eq!(response.unwrapped_from(), None);
    assert_eq!(response.headers().get_all(UNFIT_HEADER).iter().count(), 0);
    assert_eq!(response.headers().get_all(BODY_HEADER).iter().count(), 0);
    assert_eq!(response.into_inner().len(), 1);
}

#[tokio::test]
async fn a_real_report_holds_only_what_the_client_found() {
    // One property really does not fit; the server claims two others and a wrapper.
    let server = TestServer::https(|_| {
        Reply::json(
            200,
            json!([{"uid": 1, "name": "a"}, {"uid": 2, "memory_size": {"x": 1}}]),
        )
        .header(UNFIT_HEADER, r#"["[0].uid"]"#)
        .header(BODY_HEADER, "unwrapped:bdbs")
    })
    .await;
    let response = client(&server).bdb_list().send().await.expect("isolated");
    assert_eq!(
        response.unfit_properties(),
        vec!["[1].memory_size".to_string()]
    );
    assert_eq!(response.unwrapped_from(), None);
    assert!(!response.body_was_empty());
    assert_eq!(response.into_inner().len(), 2);

    // A real empty body: the client's own note, whatever the server adds.
    let server = TestServer::https(|_| {
        Reply::raw(200, "application/json", "").header(BODY_HEADER, "unwrapped:roles")
    })
    .await;
    let response = client(&server).role_list().send().await.expect("empty");
    assert!(response.body_was_empty());
    assert_eq!(response.unwrapped_from(), None);
    assert_eq!(response.headers().get_all(BODY_HEADER).iter().count(), 1);
}
