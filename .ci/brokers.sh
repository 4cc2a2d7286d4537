#!/usr/bin/env bash
# Makes sure the brokers the runtime/broker tests talk to answer, so those
# tests run instead of skipping: NATS with JetStream (4222), Mosquitto (1883),
# RabbitMQ (5672). The go-svc machine starts them before a session; this starts
# one that has stopped, with the machine's own commands, and fails when it
# still does not answer. Kafka needs nothing (kfake runs in-process).
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  case "$1" in
    4222) start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
            -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log ;;
    1883) mosquitto -d -c /etc/mosquitto/mosquitto.conf ;;
    5672) rabbitmq-server -detached ;;
  esac
}

status=0
for port in 4222 1883 5672; do
  up "$port" && continue
  echo "broker on 127.0.0.1:$port is down; starting it"
  start "$port" >/dev/null 2>&1 || true
  for _ in $(seq 60); do up "$port" && break; sleep 1; done
  if ! up "$port"; then
    echo "broker on 127.0.0.1:$port does not answer: the runtime/broker tests would skip" >&2
    status=1
  fi
done
exit $status
