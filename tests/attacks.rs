//! Issue 13 on the real binary: what one hostile client can do is bounded, and the clients
//! beside it are still served. Each attack runs for a few seconds at most; the RSS and
//! latency figures of the release binary are in `docs/reliability.md` (`examples/attacks.rs`).

#![cfg(feature = "server")]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::server::{Server, client_frame};

/// `POST /check`'s answer: status, the `x-diagnostics-total` header, the listed diagnostics.
fn check(server: &Server, body: &Value) -> (u16, Option<usize>, Value) {
    let (status, headers, bytes) = server.raw_http("POST", "/check", &body.to_string());
    let total = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("x-diagnostics-total").then(|| value.trim().parse().ok())?
    });
    (status, total, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[test]
fn a_check_lists_at_most_a_hundred_diagnostics_and_counts_them_all() {
    let server = Server::start(&[]);
    // 50,000 unused `let`s in the case data: a warning each.
    let data = std::fs::read_to_string("scenarios/data/refund_policy_recovery.yaml").unwrap();
    let lets: String = (0..50_000).map(|i| format!("      x{i}: {i}\n")).collect();
    let body = json!({
        "source": std::fs::read_to_string("scenarios/refund_policy_recovery.shop").unwrap(),
        "data": data.replacen("    let:\n", &format!("    let:\n{lets}"), 1),
        "name": "refund_policy_recovery",
    });
    let (status, total, listed) = check(&server, &body);
    assert_eq!(status, 200, "{listed}");
    assert_eq!(total, Some(50_000));
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 100);
    assert!(listed.iter().all(|d| d["code"] == "SHOP011"), "{listed:?}");
}

#[test]
fn a_file_of_garbage_is_cut_off_with_one_diagnostic() {
    let server = Server::start(&[]);
    for source in ["a\n".repeat(120_000), "a ".repeat(120_000), "a @\n".repeat(60_000)] {
        let (status, total, listed) = check(&server, &json!({ "source": source }));
        assert_eq!(status, 200, "{listed}");
        let listed = listed.as_array().expect("a list");
        assert!(total.unwrap() <= 100, "{total:?}");
        let last = listed.last().expect("a diagnostic");
        assert_eq!(last["code"], "SHOP001", "{last}");
    }
    // Over the size limit of a `.shop` file (256 KiB): one diagnostic, no parse.
    let (_, total, listed) = check(&server, &json!({ "source": "a\n".repeat(140_000) }));
    assert_eq!(total, Some(1), "{listed}");
    assert_eq!(listed[0]["message"], "file is too large to parse");
}

#[test]
fn checks_beyond_the_limit_get_429_with_retry_after() {
    let server = Arc::new(Server::start(&["--max-checks", "1"]));
    let source = "a @\n".repeat(60_000);
    let body = json!({ "source": source }).to_string();
    let clients = 6;
    let barrier = Arc::new(Barrier::new(clients));
    let answers: Vec<(u16, String, Vec<u8>)> = (0..clients)
        .map(|_| {
            let (server, barrier, body) = (server.clone(), barrier.clone(), body.clone());
            std::thread::spawn(move || {
                barrier.wait();
                server.raw_http("POST", "/check", &body)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|client| client.join().expect("client"))
        .collect();
    let busy: Vec<_> = answers.iter().filter(|(status, _, _)| *status == 429).collect();
    assert!(answers.iter().all(|(status, _, _)| matches!(status, 200 | 429)));
    assert!(answers.iter().any(|(status, _, _)| *status == 200));
    assert!(!busy.is_empty(), "six checks at once with --max-checks 1 were all admitted");
    for (_, headers, body) in busy {
        assert!(headers.to_ascii_lowercase().contains("retry-after: 1"), "{headers}");
        let detail: Value = serde_json::from_slice(body).expect("JSON");
        assert!(detail["detail"].as_str().unwrap().contains("retry"), "{detail}");
    }
    // Once the checks are done, the next is admitted.
    assert_eq!(check(&server, &json!({"source": "check c { empty \"-\" }\n"})).0, 200);
}

#[test]
fn sigterm_ends_the_server_promptly_even_during_a_check() {
    let mut server = Server::start(&[]);
    let address = server.address.clone();
    let source = json!({ "source": "a @\n".repeat(60_000) }).to_string();
    let request = format!(
        "POST /check HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\n\r\n{source}",
        source.len()
    );
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.terminate_within(Duration::from_secs(4)), "the server outlived SIGTERM by 4 s");
}

#[test]
fn a_head_of_16_kib_is_served_and_a_larger_one_is_431() {
    let server = Server::start(&[]);
    let head = |bytes: usize| {
        let mut stream = TcpStream::connect(&server.address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let request = format!(
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(bytes)
        );
        let _ = stream.write_all(request.as_bytes());
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response.get(9..12).unwrap_or("").to_string()
    };
    assert_eq!(head(15 << 10), "200");
    // Refused once 16 KiB have been read without the head's end (a single read may carry a
    // little more before the check).
    assert_eq!(head(64 << 10), "431");
    assert_eq!(head(500_000), "431");
}

#[test]
fn at_the_connection_limit_new_connections_wait_until_one_closes() {
    let server = Server::start(&["--max-connections", "3"]);
    let idle: Vec<TcpStream> =
        (0..3).map(|_| TcpStream::connect(&server.address).expect("connect")).collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut waiting = TcpStream::connect(&server.address).expect("the kernel accepts it");
    waiting.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    waiting
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut byte = [0u8; 1];
    let early = waiting.read(&mut byte);
    assert!(
        early
            .as_ref()
            .is_err_and(|e| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered beyond the connection limit: {early:?}"
    );
    drop(idle);
    waiting.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut response = String::new();
    waiting.read_to_string(&mut response).expect("answered once a connection closed");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[test]
fn a_ping_flood_from_a_client_that_never_reads_is_held_back_and_cut_off() {
    let server = Server::start(&["--request-timeout", "2"]);
    let rest = server.rss_kib();
    let mut flood = server.raw_ws();
    let ping = client_frame(0x89, true, &[7u8; 125]);
    let started = Instant::now();
    // Pings, whole frames one after another, until the server ends the connection.
    let writer = std::thread::spawn(move || {
        while flood.0.write_all(&ping).is_ok() {
            if started.elapsed() > Duration::from_secs(20) {
                return None;
            }
        }
        Some(started.elapsed())
    });
    let mut peak = rest;
    let mut slowest_health = Duration::ZERO;
    while !writer.is_finished() && started.elapsed() < Duration::from_secs(20) {
        peak = peak.max(server.rss_kib());
        let asked = Instant::now();
        assert!(server.healthy());
        slowest_health = slowest_health.max(asked.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    let cut_off = writer.join().expect("writer").expect("a client that never reads is cut off");
    assert!(cut_off < Duration::from_secs(10), "cut off after {cut_off:?}");
    assert!(peak < rest + 32 * 1024, "RSS {rest} KiB at rest, {peak} KiB during the flood");
    assert!(slowest_health < Duration::from_millis(500), "/health took {slowest_health:?}");
}

/// Resets `task` under `id` over HTTP.
fn reset(server: &Server, task: &str, id: &str) -> u16 {
    let body = json!({"task": task, "seed": 1, "episode_id": id}).to_string();
    server.http("POST", "/reset", Some(&body)).0
}

#[test]
fn a_finished_http_episode_keeps_its_final_state_and_refuses_steps() {
    let server = Server::start(&[]);
    assert_eq!(reset(&server, "refund_policy_recovery", "done"), 200);
    let step = json!({"action": {"action_type": "close_case"}, "episode_id": "done"}).to_string();
    let mut last = Value::Null;
    for _ in 0..200 {
        let (status, reply) = server.http("POST", "/step", Some(&step));
        if status == 409 {
            break;
        }
        assert_eq!(status, 200, "{reply}");
        last = reply;
    }
    assert_eq!(last["done"], true, "{last}");
    let (status, state) = server.http("GET", "/state?episode_id=done", None);
    assert_eq!(status, 200);
    assert_eq!((&state["episode_id"], &state["done"]), (&json!("done"), &json!(true)), "{state}");
    assert_eq!(state["task"], "refund_policy_recovery");
    let (status, reply) = server.http("POST", "/step", Some(&step));
    assert_eq!(status, 409, "{reply}");
}

#[test]
fn stored_http_episodes_are_bounded_in_bytes() {
    // Room for a few hard episodes only: the oldest go first.
    let server = Server::start(&["--http-episode-bytes", "300000"]);
    for i in 0..40 {
        assert_eq!(reset(&server, "fraud_stockout_cascade", &format!("e{i}")), 200);
    }
    let kept: Vec<usize> = (0..40)
        .filter(|i| server.http("GET", &format!("/state?episode_id=e{i}"), None).0 == 200)
        .collect();
    assert!(!kept.is_empty() && kept.len() < 40, "kept {kept:?}");
    assert!(kept.contains(&39), "the newest is kept: {kept:?}");
    assert!(kept.windows(2).all(|w| w[1] == w[0] + 1), "the newest are kept: {kept:?}");
}
