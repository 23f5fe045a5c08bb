/** {@code discovery=static}: the cluster's members listed in configuration. */
package io.iris.discovery.staticlist;
