# model fuzz7019, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.sum((p1 + torch.softmax(x, -1)))
    v2 = torch.relu(torch.sigmoid(v1))
    v3 = F.leaky_relu(v2)
    p2 = t["p2"]
    z = torch.matmul(torch.flatten(x, 1), p2)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.mean(p1))
