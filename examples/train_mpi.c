/* Data-parallel training across processes with MPI: each process trains its part of every batch
 * and the gradients are summed across them; the first process saves the model.
 *
 *   mpirun -np 2 train_mpi DATA MODEL      e.g. mpirun -np 2 train_mpi diabetes.train d.clprop
 *
 * Uses <clprop.h> and <clprop_mpi.h> (the MPI build of clprop). */
#include <clprop_mpi.h>
#include <stdio.h>

static int train(const char *path, const char *model, const clprop_collective *collective)
{
    clprop_data *data = NULL;
    clprop_context *context = NULL;
    clprop_net *net = NULL;
    clprop_trainer *trainer = NULL;
    const char *failure = NULL;
    clprop_data_source source = {.path = path};
    if (clprop_data_load(&source, &data) != CLPROP_SUCCESS)
        failure = clprop_data_message(data);
    else if (clprop_context_create(NULL, &context) != CLPROP_SUCCESS)
        failure = clprop_context_message(context);
    if (failure == NULL) {
        size_t sizes[] = {clprop_data_inputs(data), 16, clprop_data_outputs(data)};
        clprop_net_desc shape = {.layer_count = 2, .sizes = sizes, .seed = 1};
        if (clprop_net_create(context, &shape, &net) != CLPROP_SUCCESS)
            failure = clprop_net_message(net);
    }
    if (failure == NULL) {
        /* the global batch: 64 samples a step, split among the processes */
        clprop_trainer_desc params = {.epochs = 20, .batch = 64, .learning_rate = 0.5f,
                                        .seed = 1, .collective = collective};
        if (clprop_trainer_create(net, data, &params, &trainer) != CLPROP_SUCCESS ||
            clprop_trainer_run(trainer) != CLPROP_SUCCESS)
            failure = clprop_trainer_message(trainer);
    }
    /* every process holds the same network: the first one saves it */
    if (failure == NULL && collective->rank == 0) {
        if (clprop_net_save(net, model) != CLPROP_SUCCESS)
            failure = clprop_net_message(net);
        else
            printf("%zu processes trained %s\n", collective->size, model);
    }
    if (failure != NULL)
        fprintf(stderr, "process %zu: %s\n", collective->rank, failure);
    clprop_trainer_destroy(trainer);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
    return failure == NULL ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mpirun -np N %s DATA MODEL\n", argv[0]);
        return 2;
    }
    MPI_Init(&argc, &argv);
    clprop_mpi *mpi = NULL;
    int code = 1;
    if (clprop_mpi_create(MPI_COMM_WORLD, &mpi) != CLPROP_SUCCESS)
        fprintf(stderr, "%s\n", clprop_mpi_message(mpi));
    else
        code = train(argv[1], argv[2], clprop_mpi_collective(mpi));
    clprop_mpi_destroy(mpi);
    if (code != 0) /* the others may be waiting in a sum for this one */
        MPI_Abort(MPI_COMM_WORLD, code);
    MPI_Finalize();
    return code;
}
