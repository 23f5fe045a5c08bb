/** {@code discovery=etcd}: members registered under an etcd key prefix with leases, watched. */
package io.iris.discovery.etcd;
