/* train_data.S: the training samples of train.c (raw bytes: 784 pixels an image, then one
 * label byte each, written by train.sh), read-only. */
    .section .rodata.train_data, "a"
    .global train_images
    .global train_labels
train_images:
    .incbin "train-images.bin"
train_labels:
    .incbin "train-labels.bin"
    /* no executable stack wanted (the host's linker asks) */
    .section .note.GNU-stack, "", %progbits
