#ifndef ESTATE_CLIBPQ_SHIM_H
#define ESTATE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
/* The event loop that drives libpq's non-blocking API (PQ/PQEventLoop.swift). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
