/* images.S: the test images (raw bytes, 784 per image, written by qemu.sh), in flash. */
    .section .rodata.test_images, "a"
    .global test_images
    .global test_images_end
test_images:
    .incbin "images.bin"
test_images_end:
