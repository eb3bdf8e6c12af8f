//! Lists the databases of a cluster.
//!
//! ```sh
//! REDIS_ENTERPRISE_URL=https://cluster.example:9443 \
//! REDIS_ENTERPRISE_USER=admin@example.com REDIS_ENTERPRISE_PASSWORD=secret \
//! REDIS_ENTERPRISE_CA_CERT=/path/to/proxy_cert.pem \
//!   cargo run -p redis-enterprise-api --example list_databases
//! ```

use redis_enterprise_api::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let databases = client
        .bdb_list()
        .fields("uid,name,status,memory_size")
        .send()
        .await?
        .into_inner();
    for bdb in databases {
        println!(
            "{:>5}  {:<30} {:<10} {} bytes",
            bdb.uid.unwrap_or_default(),
            bdb.name.as_deref().unwrap_or("?"),
            bdb.status.as_ref().map(|s| s.as_str()).unwrap_or("?"),
            bdb.memory_size.unwrap_or_default(),
        );
    }
    Ok(())
}
