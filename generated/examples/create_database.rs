//! Creates a database and waits until the cluster has finished creating it.
//!
//! ```sh
//! REDIS_ENTERPRISE_URL=… REDIS_ENTERPRISE_USER=… REDIS_ENTERPRISE_PASSWORD=… \
//!   cargo run -p redis-enterprise-api --example create_database -- my-cache 1073741824
//! ```

use std::time::Duration;

use redis_enterprise_api::extras::WaitOptions;
use redis_enterprise_api::types::Bdb;
use redis_enterprise_api::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "example-db".to_string());
    let memory_size: i64 = args
        .next()
        .map(|m| m.parse())
        .transpose()?
        .unwrap_or(100 * 1024 * 1024);

    let client = Client::from_env()?;
    let request = Bdb::default().name(name.clone()).memory_size(memory_size);
    let created = client.bdb_create(&request).send().await?.into_inner();
    println!("database {} created with uid {:?}", name, created.uid);

    let outcome = client
        .wait_for_started(
            &created,
            WaitOptions::default()
                .timeout(Duration::from_secs(300))
                .on_progress(|action: &redis_enterprise_api::types::Action| {
                    println!("  {:?} {:?}%", action.status, action.progress)
                }),
        )
        .await?;
    println!("done after {} polls ({:?})", outcome.polls, outcome.waited);
    Ok(())
}
