/* The collective over MPI (include/clprop_mpi.h): sums by MPI_Allreduce on a duplicate of the
 * caller's communicator, whose errors return rather than abort, and sums begun without waiting
 * (MPI_Iallreduce) for the trainer's per-layer all-reduces. For a given communicator size and
 * message length Open MPI reduces in an order that does not depend on timing, so runs repeat bit
 * for bit. */
#include "clprop_mpi.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Sums begun and not yet finished: a network's layers (each in pieces of at most INT_MAX). */
#define MAX_PENDING 1024

struct clprop_mpi {
    MPI_Comm world, host; /* duplicates: every process, and those sharing this host */
    int rank, size, local_rank, local_size;
    clprop_collective collective;
    MPI_Request pending[MAX_PENDING];
    int pending_count;
    char message[512];
};

static clprop_status fail(clprop_mpi *mpi, int code, const char *what)
{
    char words[MPI_MAX_ERROR_STRING] = "";
    int length = 0;
    MPI_Error_string(code, words, &length);
    snprintf(mpi->message, sizeof mpi->message, "%s failed on rank %d: %s", what, mpi->rank, words);
    return CLPROP_ERROR_COLLECTIVE;
}

/* MPI counts are ints: a long array goes in pieces. */
static clprop_status all_reduce(clprop_mpi *mpi, void *values, size_t count, MPI_Datatype type,
                                size_t size)
{
    for (size_t done = 0; done < count;) {
        size_t piece = count - done < (size_t)INT_MAX ? count - done : (size_t)INT_MAX;
        int code = MPI_Allreduce(MPI_IN_PLACE, (char *)values + done * size, (int)piece, type,
                                 MPI_SUM, mpi->world);
        if (code != MPI_SUCCESS)
            return fail(mpi, code, "MPI_Allreduce");
        done += piece;
    }
    return CLPROP_SUCCESS;
}

static clprop_status sum_floats(void *user, float *values, size_t count)
{
    return all_reduce(user, values, count, MPI_FLOAT, sizeof *values);
}

static clprop_status sum_doubles(void *user, double *values, size_t count)
{
    return all_reduce(user, values, count, MPI_DOUBLE, sizeof *values);
}

/* MPI_Iallreduce of the values in place; MPI_Testall then lets the sums begun before advance
 * (Open MPI moves a non-blocking collective on only inside MPI calls, unless it has a progress
 * thread). */
static clprop_status start_sum_floats(void *user, float *values, size_t count)
{
    clprop_mpi *mpi = user;
    for (size_t done = 0; done < count;) {
        if (mpi->pending_count == MAX_PENDING) {
            snprintf(mpi->message, sizeof mpi->message,
                     "more than %d sums begun at once on rank %d", MAX_PENDING, mpi->rank);
            return CLPROP_ERROR_COLLECTIVE;
        }
        size_t piece = count - done < (size_t)INT_MAX ? count - done : (size_t)INT_MAX;
        int code = MPI_Iallreduce(MPI_IN_PLACE, values + done, (int)piece, MPI_FLOAT, MPI_SUM,
                                  mpi->world, &mpi->pending[mpi->pending_count]);
        if (code != MPI_SUCCESS)
            return fail(mpi, code, "MPI_Iallreduce");
        mpi->pending_count++;
        done += piece;
    }
    int all_done = 0;
    int code = MPI_Testall(mpi->pending_count, mpi->pending, &all_done, MPI_STATUSES_IGNORE);
    return code == MPI_SUCCESS ? CLPROP_SUCCESS : fail(mpi, code, "MPI_Testall");
}

static clprop_status finish_sums(void *user)
{
    clprop_mpi *mpi = user;
    int code = MPI_Waitall(mpi->pending_count, mpi->pending, MPI_STATUSES_IGNORE);
    mpi->pending_count = 0;
    return code == MPI_SUCCESS ? CLPROP_SUCCESS : fail(mpi, code, "MPI_Waitall");
}

static const char *last_message(void *user)
{
    return ((clprop_mpi *)user)->message;
}

clprop_status clprop_mpi_create(MPI_Comm communicator, clprop_mpi **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_mpi *mpi = *out = calloc(1, sizeof *mpi);
    if (mpi == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    mpi->world = mpi->host = MPI_COMM_NULL;
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
        snprintf(mpi->message, sizeof mpi->message, "MPI is not initialised (MPI_Init first)");
        return CLPROP_ERROR_INVALID_ARGUMENT;
    }
    int code = MPI_Comm_dup(communicator, &mpi->world);
    if (code != MPI_SUCCESS)
        return fail(mpi, code, "MPI_Comm_dup");
    MPI_Comm_set_errhandler(mpi->world, MPI_ERRORS_RETURN);
    MPI_Comm_rank(mpi->world, &mpi->rank);
    MPI_Comm_size(mpi->world, &mpi->size);
    code =
        MPI_Comm_split_type(mpi->world, MPI_COMM_TYPE_SHARED, mpi->rank, MPI_INFO_NULL, &mpi->host);
    if (code != MPI_SUCCESS)
        return fail(mpi, code, "MPI_Comm_split_type");
    MPI_Comm_rank(mpi->host, &mpi->local_rank);
    MPI_Comm_size(mpi->host, &mpi->local_size);
    mpi->collective = (clprop_collective){.rank = (size_t)mpi->rank,
                                          .size = (size_t)mpi->size,
                                          .user = mpi,
                                          .sum_floats = sum_floats,
                                          .sum_doubles = sum_doubles,
                                          .message = last_message,
                                          .start_sum_floats = start_sum_floats,
                                          .finish_sums = finish_sums};
    return CLPROP_SUCCESS;
}

void clprop_mpi_destroy(clprop_mpi *mpi)
{
    if (mpi == NULL)
        return;
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised && mpi->host != MPI_COMM_NULL)
        MPI_Comm_free(&mpi->host);
    if (!finalised && mpi->world != MPI_COMM_NULL)
        MPI_Comm_free(&mpi->world);
    free(mpi);
}

const char *clprop_mpi_message(const clprop_mpi *mpi)
{
    return mpi != NULL ? mpi->message : "out of host memory";
}

const clprop_collective *clprop_mpi_collective(const clprop_mpi *mpi)
{
    return mpi != NULL ? &mpi->collective : NULL;
}

size_t clprop_mpi_local_rank(const clprop_mpi *mpi)
{
    return mpi != NULL ? (size_t)mpi->local_rank : 0;
}

size_t clprop_mpi_local_size(const clprop_mpi *mpi)
{
    return mpi != NULL ? (size_t)mpi->local_size : 1;
}
